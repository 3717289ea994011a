from __future__ import annotations

from pathlib import Path

from hub.masterdata.entities import Entity, load_entity

MINIMAL = """\
entity: thing
sources:
  - {type: thing.upserted, id: code}
fields:
  name:   {normalise: company_name}
  phone:  {normalise: phone}
  tax_id: {normalise: tax_id}
comparisons:
  name:  {method: company_name, levels: [1.0, 0.9]}
  phone: {method: exact, levels: [1.0]}
blocking:
  - {field: name, kind: prefix, length: 2}
rules:
  - {field: tax_id, check: uscc}
"""


def write_entity(folder: Path, text: str = MINIMAL, name: str = "thing") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def entity_from(folder: Path, text: str = MINIMAL) -> Entity:
    return load_entity(write_entity(folder, text))
