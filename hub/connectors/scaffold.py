"""A new connector from a system's OpenAPI document: its file, mapping stubs and test-case skeletons.

``hub connectors new NAME --from-openapi FILE|URL`` starts wiring a system from its API, not a blank
file: each write operation (POST, PUT, PATCH, DELETE) becomes an operation with its path template
(path parameters read from the canonical payload, ``{data.orderNo}``); each one with a JSON request
body gets a mapping stub that fills every field of the body from the same-named field of the
payload, and a test case whose input is the schema's example (or a sample built from the schema).
What only a person knows — which canonical types it subscribes to, what the fields really mean —
is left as comments to fill in. The result loads and passes ``hub connectors check`` as written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from hub.errors import ConfigError

WRITE_METHODS = ("post", "put", "patch", "delete")
SKIPPED_PREFIXES = ("/_", "/healthz", "/readyz", "/metrics")
"""Paths that are a server's own housekeeping, not the system's business API."""
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_DEPTH = 6
DEFAULT_BASE_URL = "http://127.0.0.1:8080"


@dataclass
class ScaffoldOperation:
    name: str
    method: str
    path: str
    template: str
    summary: str
    body: dict[str, Any] | None
    """The request body's JSON Schema (references resolved), when it has one."""
    sample: Any = None


@dataclass
class Scaffold:
    name: str
    title: str
    description: str
    base_url: str
    operations: list[ScaffoldOperation] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    """GET operations, listed in the file's comments (queries need a canonical query of their own)."""

    def files(self) -> dict[str, str]:
        """Relative path → text: the connector file, and a mapping and its cases per operation with a body."""
        out = {f"connectors/{self.name}.yaml": self.connector_yaml()}
        for op in self.operations:
            if op.body is None:
                continue
            stem = f"mappings/{self.name}/out_{op.name}"
            out[f"{stem}.jsonata"] = mapping_stub(self.name, op)
            out[f"{stem}.tests.yaml"] = cases_skeleton(op)
        return out

    def connector_yaml(self) -> str:
        operations: dict[str, Any] = {}
        for op in self.operations:
            entry: dict[str, Any] = {"method": op.method.upper(), "path": op.template}
            if op.body is not None:
                entry["mapping"] = f"{self.name}/out_{op.name}.jsonata"
            if op.summary:
                entry["description"] = op.summary
            operations[op.name] = entry
        doc = {"name": self.name, "title": self.title, "description": self.description,
               "base_url": self.base_url, "operations": operations}
        head = (f"# {self.title} — made by `hub connectors new {self.name} --from-openapi` from its OpenAPI\n"
                "# document: one operation per write endpoint, a mapping stub and a test case for each with a\n"
                "# body. Check each mapping's fields, then say what this system receives (subscriptions below)\n"
                "# and, if it sends webhooks, what they become (inbound).\n")
        tail = ["# subscriptions:                # which canonical messages go to which operation, e.g.",
                f"#   - type: sales_order.placed\n#     operation: {self.operations[0].name if self.operations else 'NAME'}",
                "# inbound:                      # the webhooks it sends, e.g.",
                "#   event_type: type",
                "#   events:",
                "#     order.created: {canonical: sales_order.placed, mapping: "
                f"{self.name}/in_sales_order.placed.jsonata}}"]
        if self.reads:
            tail.append("# reads it offers (a query needs a canonical query of its own, see connectors/erp.yaml):")
            tail += [f"#   {r}" for r in self.reads]
        return head + _dump(doc) + "\n".join(tail) + "\n"


def load_document(source: str) -> tuple[dict[str, Any], str | None]:
    """The OpenAPI document at ``source`` (a file, or an http(s) URL) and, for a URL, its origin."""
    if source.startswith(("http://", "https://")):
        import httpx

        try:
            r = httpx.get(source, timeout=30, follow_redirects=True)
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise ConfigError(f"could not read the OpenAPI document at {source}: {exc}") from None
        text, parts = r.text, urlsplit(source)
        origin: str | None = f"{parts.scheme}://{parts.netloc}"
    else:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"no file {source}")
        text, origin = path.read_text(encoding="utf-8"), None
    try:
        doc = yaml.safe_load(text)  # JSON is YAML
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is neither JSON nor YAML: {exc}") from None
    if not isinstance(doc, dict) or "paths" not in doc or not str(doc.get("openapi", doc.get("swagger", ""))):
        raise ConfigError(f"{source} is not an OpenAPI document (no 'openapi' version and 'paths')")
    return doc, origin


def scaffold(name: str, doc: dict[str, Any], *, origin: str | None = None, base_url: str | None = None) -> Scaffold:
    if not NAME.match(name):
        raise ConfigError(f"connector name {name!r}: lowercase letters, digits and _, starting with a letter")
    info = doc.get("info") or {}
    servers = [s.get("url") for s in doc.get("servers") or [] if isinstance(s, dict)]
    server = next((u for u in servers if isinstance(u, str) and u.startswith("http")), None)
    description = " ".join(str(info.get("description") or "").split())
    out = Scaffold(name=name, title=str(info.get("title") or name),
                   description=description[:197] + "…" if len(description) > 200 else description,
                   base_url=base_url or server or origin or DEFAULT_BASE_URL)
    taken: set[str] = set()
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict) or path.startswith(SKIPPED_PREFIXES):
            continue
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            if method == "get":
                out.reads.append(f"GET {path}" + (f" — {op['summary']}" if op.get("summary") else ""))
            if method not in WRITE_METHODS:
                continue
            op_name = _unique(operation_name(op.get("operationId"), method, path), taken)
            body = _body_schema(doc, op)
            example = _example(doc, op) if body is not None else None
            out.operations.append(ScaffoldOperation(
                name=op_name, method=method, path=path, template=path_template(path),
                summary=" ".join(str(op.get("summary") or "").split()), body=body,
                sample=example if example is not None else sample(body) if body is not None else None))
    return out


def operation_name(operation_id: str | None, method: str, path: str) -> str:
    """A snake_case name: the operationId without the path and method FastAPI appends to it."""
    slug = re.sub(r"\W", "_", path)
    raw = operation_id or f"{method}{slug}"
    if operation_id and operation_id.endswith(f"{slug}_{method}") and len(operation_id) > len(slug) + len(method) + 1:
        raw = operation_id[: -len(f"{slug}_{method}")]
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", raw).lower()
    snake = re.sub(r"[^a-z0-9]+", "_", snake).strip("_")
    return snake if snake and snake[0].isalpha() else f"op_{snake}"


def path_template(path: str) -> str:
    """``/orders/{orderNo}`` → ``/orders/{data.orderNo}``: each path parameter read from the payload."""
    return re.sub(r"\{([^}]+)\}", lambda m: "{data." + _field(m.group(1)) + "}", path)


def mapping_stub(system: str, op: ScaffoldOperation) -> str:
    assert op.body is not None
    props = _properties(op.body)
    required = set(op.body.get("required") or [])
    order = sorted(props, key=lambda k: (k not in required, list(props).index(k)))
    lines = [f"/* canonical envelope → {system} {op.method.upper()} {op.path}"
             + (f" ({op.summary})" if op.summary else ""),
             "   A stub from the OpenAPI document: each field of the body is read from the payload's field of",
             "   the same name. Map each from the canonical payload it will receive; required fields first. */"]
    if not props:
        return "\n".join(lines) + "\ndata\n"
    fields = [f"  {json.dumps(k, ensure_ascii=False)}: data.{_field(k)}" for k in order]
    return "\n".join(lines) + "\n{\n" + ",\n".join(fields) + "\n}\n"


def cases_skeleton(op: ScaffoldOperation) -> str:
    assert op.body is not None
    props = _properties(op.body)
    data = op.sample if isinstance(op.sample, dict) else {}
    expected = {k: v for k, v in data.items() if k in props} if props else data
    case = [{"name": "the schema's example, field for field (replace with a real canonical message)",
             "input": {"type": "REPLACE.ME", "data": data}, "expected": expected}]
    return ("# Test cases for out_" + op.name + ".jsonata (`hub mappings test`): the input is a canonical envelope,\n"
            "# the expected value the body sent. Made from the OpenAPI schema; edit both as the mapping grows.\n"
            + _dump(case))


def sample(schema: Any, depth: int = 0) -> Any:
    """A value that fits ``schema`` (its example, default or first enum value when it has one)."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    for key in ("example", "default"):
        if schema.get(key) not in (None, [], {}):
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [s for s in schema.get(key) or [] if isinstance(s, dict) and s.get("type") != "null"]
        if options:
            return sample(options[0], depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: v for k, s in _properties(schema).items() if (v := sample(s, depth + 1)) is not None}
    if kind == "array":
        item = sample(schema.get("items"), depth + 1)
        return [] if item is None else [item]
    return {"string": "text", "integer": 1, "number": 1.5, "boolean": True}.get(str(kind))


class _Dumper(yaml.SafeDumper):
    """Writes a value shared by two places twice, not as a YAML anchor and alias (people read these files)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _field(name: str) -> str:
    """A JSONata field reference: the name, or in backticks when it is not a plain identifier."""
    return name if IDENTIFIER.match(name) else "`" + name.replace("`", "") + "`"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _json_content(op: dict[str, Any]) -> dict[str, Any] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    for media, value in content.items():
        if "json" in media and isinstance(value, dict):
            return value
    return None


def _body_schema(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    content = _json_content(op)
    if content is None or not isinstance(content.get("schema"), dict):
        return None
    resolved = resolve(doc, content["schema"])
    return resolved if isinstance(resolved, dict) else None


def _example(doc: dict[str, Any], op: dict[str, Any]) -> Any:
    content = _json_content(op) or {}
    if content.get("example") is not None:
        return content["example"]
    for value in (content.get("examples") or {}).values():
        if isinstance(value, dict) and value.get("value") is not None:
            return value["value"]
    return None


def resolve(doc: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """``schema`` with its local ``$ref``s replaced by what they point at (a few references deep: enough for
    a stub, and a schema that refers to itself ends)."""
    if depth > MAX_DEPTH:
        return {}
    if isinstance(schema, list):
        return [resolve(doc, s, depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        return resolve(doc, target, depth + 1)
    return {k: resolve(doc, v, depth) if k in ("properties", "items", "anyOf", "oneOf", "allOf")
            or isinstance(v, dict) and k not in ("examples", "example", "default") else v
            for k, v in schema.items()}
