"""The golden-record service: one customer, one supplier, one item, one employee (flow F3).

Entities are files (``mappings/masterdata/<entity>.yaml``, :mod:`hub.masterdata.entities`).
A source record is normalised (:mod:`~hub.masterdata.normalise`), blocked
(:mod:`~hub.masterdata.blocking`), compared (:mod:`~hub.masterdata.compare`) and scored
(:mod:`~hub.masterdata.scoring`, Fellegi–Sunter with EM); the service
(:mod:`~hub.masterdata.service`) joins it to a golden record or creates one, applies
survivorship (:mod:`~hub.masterdata.survivorship`) and ties the system's id to the golden id
in the cross-reference. :mod:`~hub.masterdata.subscriber` is what the message path calls.
"""


from __future__ import annotations

from typing import Any

__all__ = ["Entity", "EntityCatalog", "MasterData", "MatchOutcome", "load_entities", "load_entity"]

_HOMES = {"Entity": "entities", "EntityCatalog": "entities", "load_entities": "entities",
          "load_entity": "entities", "MasterData": "service", "MatchOutcome": "service"}


def __getattr__(name: str) -> Any:
    # Loaded on first use: the dictionaries behind normalisation take a moment, and `hub --help` need not wait.
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"hub.masterdata.{_HOMES[name]}"), name)
    raise AttributeError(name)
