"""Read ``connectors/*.yaml``, refusing anything wrong with the file, the line and a hint."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from hub.connectors.models import Connector
from hub.errors import ConfigError
from hub.yamlfile import YamlDocument


@dataclass(frozen=True)
class ConnectorFile:
    """A validated connector with the document it came from, for errors that name the line."""

    connector: Connector
    doc: YamlDocument

    def error(self, message: str, *path: object) -> ConfigError:
        return ConfigError(message, file=str(self.doc.path), line=self.doc.line_of(path))


def load_connectors(folder: Path) -> dict[str, ConnectorFile]:
    files: dict[str, ConnectorFile] = {}
    for path in sorted(folder.glob("*.yaml")):
        f = load_connector(path)
        files[f.connector.name] = f
    return files


def load_connector(path: Path) -> ConnectorFile:
    doc = YamlDocument(path)
    if not isinstance(doc.data, dict):
        raise ConfigError("a connector file must be a map of keys", file=str(path), line=1)
    try:
        connector = Connector.model_validate(doc.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = doc.line_of(loc)
        where = ".".join(str(p) for p in loc) or "(top)"
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            hint = _hint(key)
            raise ConfigError(f"unknown key {key!r} at {where}{hint}", file=str(path), line=line) from None
        raise ConfigError(f"{where}: {err['msg']}", file=str(path), line=line) from None
    if connector.name != path.stem:
        raise ConfigError(f"name {connector.name!r} must match the file name {path.stem!r}",
                          file=str(path), line=doc.line_of(("name",)))
    return ConnectorFile(connector, doc)


def _all_keys() -> set[str]:
    keys: set[str] = set()
    stack: list[type[BaseModel]] = [Connector]
    while stack:
        model = stack.pop()
        for name, field in model.model_fields.items():
            keys.add(name)
            for arg in _model_args(field.annotation):
                if arg not in stack:
                    stack.append(arg)
    return keys


def _model_args(annotation: object) -> list[type[BaseModel]]:
    out = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        out.extend(_model_args(arg))
    return out


def _hint(key: str) -> str:
    close = difflib.get_close_matches(key, _all_keys(), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
