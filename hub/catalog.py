"""The registry of canonical types and their JSON Schemas (``mappings/canonical/``).

Each type is one file, ``<type>.schema.json`` (e.g. ``sales_order.placed.schema.json``),
a JSON Schema (draft 2020-12) with two hub keywords:

- ``x-version``: the schema version, published in the envelope's ``dataschema``
  as ``/schemas/<type>/<version>``;
- ``x-subject``: the payload field that holds the business key (order number,
  customer code) — it becomes the envelope's ``subject``, what admins search for.
- ``x-subject-label`` (optional): ``{en: …, zh: …}``, what the key is, for a key that means
  nothing alone (``{"en": "MRP run", "zh": "MRP 运算"}`` before a bare run number in lists).

Request–reply queries have schemas too, in ``queries/<query>.request.schema.json`` and
``.response.schema.json``. Validation lives here and nowhere else.

Every payload the hub translates is validated, so a valid one must cost little: jsonschema-rs
passes it in microseconds (the pure-Python validator took a millisecond for a 20-line order, the
largest share of a worker's time on it). What jsonschema-rs refuses is validated again by
``jsonschema``, the reference, which names the error and its path; the two agree on every schema
here (``tests/unit/test_canonical_catalog.py`` checks them against each other).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError as JsonSchemaDefinitionError
from jsonschema.exceptions import ValidationError as JsonSchemaValidationError
from jsonschema.exceptions import best_match

from hub.errors import ConfigError, QueryInvalid, SchemaError

SUFFIX = ".schema.json"


@dataclass(frozen=True)
class CanonicalType:
    name: str
    version: int
    subject_field: str | None
    title: str
    description: str
    schema: dict[str, Any]
    validator: Draft202012Validator
    file: Path
    subject_label: dict[str, str] | None = None
    fast: Any = None
    """jsonschema-rs's validator of the same schema (None if it could not compile it)."""

    @property
    def dataschema(self) -> str:
        return f"/schemas/{self.name}/{self.version}"

    def subject(self, data: Any) -> str | None:
        if not self.subject_field or not isinstance(data, dict):
            return None
        value: Any = data
        for part in self.subject_field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None else str(value)

    def validate(self, data: Any) -> None:
        error = self.first_error(data)
        if error is not None:
            path = "/" + "/".join(str(p) for p in error.absolute_path)
            raise SchemaError(error.message, schema=self.dataschema, path=path)

    def first_error(self, data: Any) -> JsonSchemaValidationError | None:
        """The error to report for ``data`` (None when it is valid): the fast validator's word for a
        valid payload, the reference's for anything else."""
        if self.fast is not None and self.fast.is_valid(data):
            return None
        return best_match(self.validator.iter_errors(data))


QUERIES = "queries"


class Catalog:
    def __init__(self, folder: Path):
        self.folder = folder
        self.types: dict[str, CanonicalType] = {}
        for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
            t = _load(path)
            self.types[t.name] = t
        queries = folder / QUERIES
        self.queries: dict[str, CanonicalType] = {
            t.name: t for t in (_load(p) for p in sorted(queries.glob(f"*{SUFFIX}")))} if queries.is_dir() else {}

    def validate_query_request(self, query: str, request: Any) -> None:
        """Refuse a query request that breaks ``<query>.request.schema.json`` (when there is one)."""
        schema = self.queries.get(f"{query}.request")
        if schema is None:
            return
        error = schema.first_error(request)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(request)"
            raise QueryInvalid(f"{where}: {error.message}")

    def __contains__(self, name: str) -> bool:
        return name in self.types

    def get(self, name: str) -> CanonicalType:
        try:
            return self.types[name]
        except KeyError:
            raise ConfigError(f"unknown canonical type {name!r}; known: {', '.join(sorted(self.types))}") from None

    def names(self) -> list[str]:
        return sorted(self.types)


def _load(path: Path) -> CanonicalType:
    name = path.name.removesuffix(SUFFIX)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    try:
        Draft202012Validator.check_schema(schema)
    except JsonSchemaDefinitionError as exc:
        raise ConfigError(f"not a valid JSON Schema: {exc.message}", file=str(path)) from None
    version = schema.get("x-version", 1)
    if not isinstance(version, int) or version < 1:
        raise ConfigError("x-version must be a positive integer", file=str(path))
    label = schema.get("x-subject-label")
    if label is not None and not (isinstance(label, dict) and set(label) == {"en", "zh"}
                                  and all(isinstance(v, str) and v for v in label.values())):
        raise ConfigError('x-subject-label must be {"en": "…", "zh": "…"}', file=str(path))
    return CanonicalType(
        name=name, version=version, subject_field=schema.get("x-subject"),
        title=schema.get("title", name), description=schema.get("description", ""),
        schema=schema, validator=Draft202012Validator(schema), file=path, subject_label=label,
        fast=_fast_validator(schema))


def _fast_validator(schema: dict[str, Any]) -> Any:
    """jsonschema-rs for ``schema``, as the reference reads it: formats are annotations in draft
    2020-12, and nothing is fetched. None when it cannot compile the schema: the reference alone then."""
    try:
        return jsonschema_rs.Draft202012Validator(schema, validate_formats=False, offline=True)
    except ValueError:  # jsonschema_rs.ValidationError among them
        return None
