"""The canonical catalog: one JSON Schema per type in CATALOG.md, each strict and with a realistic example."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.catalog import Catalog
from hub.errors import SchemaError
from hub.settings import REPO_ROOT

CANONICAL = Path(REPO_ROOT) / "mappings" / "canonical"
QUERIES = CANONICAL / "queries"
CATALOG_MD = Path(REPO_ROOT) / "docs" / "CATALOG.md"
"""The canonical types and queries every system is mapped to and from: the hub's contract."""


def _table_names(section: str) -> list[str]:
    """The backticked names in the first column of a ``## <section>`` table of CATALOG.md."""
    text = CATALOG_MD.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(section)}\b.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"CATALOG.md has no '## {section}' section"
    return re.findall(r"^\|\s*`([a-z0-9_.]+)`\s*\|", match.group(1), re.M)


HUB_ADDITIONS = ["payment.made", "complaint.investigated", "purchase_order.fully_received"]
"""Types the hub carries beyond the shared catalog, named in the README's flows section."""


def catalog_types() -> list[str]:
    return _table_names("Catalog")


def catalog_queries() -> list[str]:
    return _table_names("Queries")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(CANONICAL)


@pytest.fixture(scope="module")
def queries() -> Catalog:
    return Catalog(QUERIES)


def _objects(schema: Any, where: str = "#"):
    """Every object definition (an object type with properties; not if/then conditions), with its location."""
    if isinstance(schema, dict):
        kind = schema.get("type")
        if "properties" in schema and (kind == "object" or isinstance(kind, list) and "object" in kind):
            yield where, schema
        for key, value in schema.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _objects(value, f"{where}/{i}")


# ----------------------------------------------------------------- examples
EXAMPLES: dict[str, dict[str, Any]] = {
    "party.customer.upserted": {
        "code": "CUS-000101", "name": "上海明辉贸易有限公司", "name_en": "Shanghai Minghui Trading Co., Ltd.",
        "tax_id": "91310115MA1K4B2C3J", "credit_limit": 500000, "currency": "CNY", "payment_terms": 30,
        "status": "active",
        "addresses": [{"kind": "office", "street": "上海市浦东新区张江路88号", "city": "上海", "country": "CN",
                       "is_default": True}],
        "contacts": [{"name": "王磊", "mobile": "13801234567", "is_primary": True}],
    },
    "party.supplier.upserted": {
        "code": "SUP-0004", "name": "东莞快达五金有限公司", "name_en": "Dongguan Kuaida Hardware Co., Ltd.",
        "tax_id": "91441900MA4UJ9KX2B", "status": "approved", "currency": "CNY", "default_lead_time_days": 14,
        "rating": 4.2, "contacts": [{"name": "黄志强", "phone": "0769-22334455"}],
    },
    "item.upserted": {
        "code": "300-0001", "name": "钢制桌腿", "uom": "PCS", "supply_method": "buy", "lead_time_days": 14,
        "safety_stock": 20, "lot_min": 100, "lot_multiple": 50, "tracking": "lot", "status": "active",
    },
    "bom.released": {
        "bom_code": "12", "parent_item": "T", "version": "V1", "base_qty": 1, "effective_from": "2026-11-01",
        "lines": [{"line_no": 1, "component": "TP", "qty": 1, "uom": "PCS"},
                  {"line_no": 2, "component": "L", "qty": 4, "uom": "PCS"},
                  {"line_no": 3, "component": "BT", "qty": 8, "uom": "PCS"}],
    },
    "employee.onboarded": {
        "employee_id": "HJ2026031", "name": "张伟", "department": "生产部", "position": "计划员",
        "manager_id": "HJ2019004", "start_date": "2026-11-23", "roles": ["planner"],
    },
    "sales_order.placed": {
        "order_no": "SO-2026-000123", "customer": "CUS-000101", "customer_name": "上海明辉贸易有限公司",
        "order_date": "2026-11-22", "currency": "CNY", "total": 64000, "salesperson": "李强",
        "lines": [{"line_no": 1, "item": "PRD-DESK-1200", "qty": 50, "uom": "PCS", "unit_price": 1280,
                   "required_date": "2026-12-10"}],
    },
    "sales_order.credit_checked": {
        "order_no": "SO-2026-000125", "customer": "100003", "result": "blocked",
        "reason": "overdue receivables of 12,000.00", "exposure": 117320, "credit_limit": 200000,
        "overdue_amount": 12000, "currency": "CNY",
    },
    "sales_order.confirmed": {
        "order_no": "SO-2026-000123", "customer": "100001", "warehouse": "2000",
        "lines": [{"line_no": 10, "item": "100-0001", "qty": 50, "uom": "PCS", "required_date": "2026-12-10",
                   "promised_date": "2026-12-10"}],
    },
    "sales_order.cancelled": {
        "order_no": "SO-2026-000124", "customer": "CUS-000104", "reason": "客户取消采购计划",
        "cancelled_at": "2026-11-23T09:30:00+08:00",
    },
    "mrp.plan.released": {
        "run_id": "7", "late_count": 0,
        "planned_orders": [
            {"id": "41", "item": "T", "qty": 30, "uom": "PCS", "due_date": "2026-12-14",
             "release_date": "2026-12-07", "action": "make", "late": False, "origin_sales_order": "SO-2026-000123"},
            {"id": "45", "item": "L", "qty": 250, "uom": "PCS", "due_date": "2026-12-21",
             "release_date": "2026-12-07", "action": "buy", "late": False, "origin_sales_order": None},
        ],
    },
    "production_order.released": {
        "order_no": "MO-000001", "item": "T", "qty": 30, "uom": "PCS", "bom_version": "V1",
        "planned_start": "2026-12-07", "planned_end": "2026-12-14", "origin_sales_order": "SO-2026-000123",
    },
    "production_order.progress_reported": {
        "order_no": "MO-000001", "operation": "0020", "work_center": "装配线A", "qty_good": 18, "qty_scrap": 1,
        "reported_at": "2026-12-09T15:20:00+08:00",
    },
    "production_order.completed": {
        "order_no": "MO-000001", "item": "P-T1200", "qty_good": 29, "qty_scrap": 1, "defect_rate": 0.0333,
        "lots": ["L20261214-01"], "actual_start": "2026-12-07T08:00:00+08:00",
        "actual_end": "2026-12-14T17:05:00+08:00", "origin_sales_order": "SO-2026-000123",
    },
    "production_order.rescheduled": {
        "order_no": "MO-000002", "old_end": "2026-12-28", "new_end": "2027-01-04",
        "reason": "桌腿供应商延期交货", "ref_doc": "PO20261122001",
    },
    "quality.inspection.recorded": {
        "inspection_id": "QC-20261215-003", "kind": "incoming", "ref_doc": "RCV-000031", "item": "P-LEG-STL",
        "lot": "KD20261214", "qty_inspected": 250, "qty_accepted": 245, "qty_rejected": 5, "result": "conditional",
        "inspected_at": "2026-12-15T10:40:00+08:00", "comment": "5件表面划伤，让步接收",
    },
    "purchase_requisition.raised": {
        "requisition_no": "PR-000045", "lines": [{"item": "L", "qty": 250, "uom": "PCS", "need_by": "2026-12-21"}],
        "estimated_amount": 11250, "currency": "CNY", "budget_code": "PUR-2026-RM", "origin": "mrp",
    },
    "approval.requested": {
        "approval_id": None, "business_type": "purchase_requisition", "business_key": "PR-000045",
        "title": "采购申请 PR-000045：钢制桌腿 250 件", "amount": 11250, "currency": "CNY", "requester": "HJ2021017",
        "form": {"物料": "钢制桌腿", "数量": 250, "预算编码": "PUR-2026-RM", "预算余额": 380000},
    },
    "approval.decided": {
        "approval_id": "PROC-7F3A29C1", "business_type": "purchase_requisition", "business_key": "PR-000045",
        "result": "approved", "decided_by": "HJ2015002", "decided_at": "2026-11-22T14:05:00+08:00",
        "comment": "同意",
    },
    "purchase_order.issued": {
        "po_no": "PO20261122001", "supplier": "SUP-0004", "supplier_name": "东莞快达五金有限公司",
        "order_date": "2026-11-22", "currency": "CNY", "total": 11250, "requisition_refs": ["PR-000045"],
        "lines": [{"line_no": 1, "item": "M-LEG-STL", "qty": 250, "uom": "PCS", "unit_price": 45,
                   "promised_date": "2026-12-14"}],
    },
    "purchase_order.confirmed": {
        "po_no": "PO20261122001", "supplier": "SUP-0004", "confirmed_at": "2026-11-23T09:12:00+08:00",
        "lines": [{"line_no": 1, "item": "M-LEG-STL", "status": "changed", "confirmed_qty": 250,
                   "confirmed_date": "2026-12-16"}],
    },
    "purchase_order.delayed": {
        "po_no": "PO20261122001", "line_no": 1, "item": "M-LEG-STL", "supplier": "SUP-0004",
        "old_date": "2026-12-16", "new_date": "2026-12-23", "qty_affected": 250, "reason": "原材料钢管到货延迟",
    },
    "goods.received": {
        "receipt_no": "RCV-000031", "po_no": "PO20261122001", "supplier": "SUP-0004", "warehouse": "WH01",
        "received_at": "2026-12-23T10:15:00+08:00",
        "lines": [{"line_no": 1, "item": "SKU-LEG-STL", "qty": 240, "lot": "KD20261222", "location": "A-01-03",
                   "discrepancy": "short 10"}],
    },
    "inventory.level_changed": {
        "item": "SKU-LEG-STL", "warehouse": "WH01", "on_hand": 280, "reserved": 120, "available": 160,
        "delta": 240, "reason": "receipt", "ref_doc": "RCV-000031", "changed_at": "2026-12-23T10:15:00+08:00",
    },
    "inventory.below_safety_stock": {
        "item": "SKU-CHAIR-ERG", "warehouse": "WH02", "available": 6, "safety_stock": 10, "shortfall": 4,
        "suggested_qty": 4,
        "substitutes": [{"item": "SKU-CHAIR-MESH", "name": "网布办公椅", "warehouse": "WH02", "available": 25}],
    },
    "shipment.dispatched": {
        "shipment_no": "SHP-000017", "order_no": "SO-2026-000123", "customer": "C101", "warehouse": "WH02",
        "lines": [{"line_no": 1, "item": "SKU-DESK-1200", "qty": 50, "lot": "L20261214-01"}],
        "carrier": "SF", "tracking_no": "SF202612150001", "shipped_at": "2026-12-15T16:30:00+08:00",
    },
    "invoice.issued": {
        "invoice_no": "IV2612-00009", "order_no": "SO-2026-000123", "customer": "100001",
        "invoice_date": "2026-12-15", "amount_untaxed": 56637.17, "tax": 7362.83, "total": 64000,
        "currency": "CNY", "due_date": "2027-01-14",
    },
    "payment.received": {
        "payment_no": "PAY-000021", "invoice_no": "IV2612-00009", "customer": "100001", "amount": 64000,
        "currency": "CNY", "received_at": "2027-01-10", "invoice_open_amount": 0,
    },
    "complaint.opened": {
        "complaint_id": "CMP-000008", "customer": "CUS-000101", "customer_name": "上海明辉贸易有限公司",
        "order_no": "SO-2026-000123", "item": "PRD-DESK-1200", "lot": "L20261214-01", "severity": "high",
        "description": "桌腿焊点开裂，3张办公桌无法使用", "opened_at": "2026-12-20T11:02:00+08:00",
    },
    "complaint.assigned": {
        "complaint_id": "CMP-000008", "task_id": "TASK-0031", "department": "质量部", "assignee": "HJ2018011",
        "due_at": "2026-12-23T18:00:00+08:00",
    },
    "complaint.resolved": {
        "complaint_id": "CMP-000008", "root_cause": "供应商焊接工艺参数偏低", "disposition": "replace",
        "resolved_at": "2026-12-22T16:40:00+08:00", "resolved_by": "HJ2018011", "comment": "已补发3张办公桌",
    },
    "masterdata.changed": {
        "entity": "customer", "golden_id": "G-CUS-0001", "changed_fields": ["credit_limit"],
        "record": {"code": "G-CUS-0001", "name": "上海明辉贸易有限公司", "tax_id": "91310115MA1K4B2C3J",
                   "credit_limit": 600000, "currency": "CNY", "payment_terms": 30, "status": "active"},
        "xrefs": {"crm": "CUS-000101", "erp": "100001", "wms": "C101"},
    },
}

QUERY_EXAMPLES: dict[str, dict[str, Any]] = {
    "inventory.availability.request": {"item": "SKU-CHAIR-ERG", "warehouse": None},
    "inventory.availability.response": {
        "item": "SKU-CHAIR-ERG", "warehouse": None, "on_hand": 30, "reserved": 24, "available": 6,
        "incoming": [{"ref_doc": "ASN-000012", "po_no": "PO20261201003", "supplier": "SUP-0002", "warehouse": "WH02",
                      "qty": 40, "eta": "2026-12-18"}],
        "as_of": "2026-12-15T09:00:00+08:00",
    },
    "sales_order.status.request": {"order_no": "SO-2026-000123"},
    "sales_order.status.response": {
        "order_no": "SO-2026-000123", "customer": "CUS-000101", "status": "shipped",
        "credit": {"result": "accepted", "reason": None},
        "production": [{"order_no": "MO-000001", "item": "T", "qty": 30, "qty_good": 29, "qty_scrap": 1,
                        "status": "completed", "planned_end": "2026-12-14", "actual_end": "2026-12-14T17:05:00+08:00"}],
        "delivery_status": "complete",
        "shipments": [{"shipment_no": "SHP-000017", "shipped_at": "2026-12-15T16:30:00+08:00", "carrier": "SF",
                       "tracking_no": "SF202612150001"}],
        "invoice_status": "complete", "payment_status": "unpaid",
        "invoices": [{"invoice_no": "IV2612-00009", "total": 64000, "open_amount": 64000, "due_date": "2027-01-14"}],
        "missing": [],
    },
    "customer.credit_status.request": {"customer": "CUS-000103"},
    "customer.credit_status.response": {
        "customer": "CUS-000103", "currency": "CNY", "credit_limit": 200000, "exposure": 45000,
        "overdue_amount": 12000, "available_credit": 155000, "blocked": True,
        "reason": "overdue receivables of 12,000.00",
    },
    "supplier.capacity.request": {"supplier": "SUP-0004", "item": "M-LEG-STL"},
    "supplier.capacity.response": {
        "supplier": "SUP-0004", "supplier_name": "东莞快达五金有限公司", "status": "approved", "as_of": "2026-11-25",
        "items": [{"item": "M-LEG-STL", "lead_time_days": 14, "earliest_delivery_date": "2026-12-09",
                   "open_po_qty": 250, "in_transit_qty": 0, "next_delivery_date": "2026-12-16",
                   "open_orders": [{"po_no": "PO20261122001", "line_no": 1, "open_qty": 250, "confirmed": True,
                                    "expected_date": "2026-12-16"}]}],
    },
}


# -------------------------------------------------------------- the catalog
def test_every_type_in_the_catalog_has_a_schema_file():
    missing = [t for t in catalog_types() if not (CANONICAL / f"{t}.schema.json").is_file()]
    assert not missing, f"no schema for {missing}"


def test_the_catalog_holds_exactly_the_documented_types(catalog):
    assert sorted(catalog.names()) == sorted(catalog_types() + HUB_ADDITIONS)
    readme = (Path(REPO_ROOT) / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in HUB_ADDITIONS), "each addition is named in the README"


@pytest.mark.parametrize("name", catalog_types() + HUB_ADDITIONS)
def test_a_schema_names_a_required_subject_and_its_producer(catalog, name):
    t = catalog.get(name)
    assert t.version == 1 and t.dataschema == f"/schemas/{name}/1"
    assert t.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert t.subject_field in t.schema["required"], f"x-subject {t.subject_field!r} is not required"
    assert t.subject_field in t.schema["properties"]
    assert t.title and "Produced by" in t.description


@pytest.mark.parametrize("file", sorted(CANONICAL.rglob("*.schema.json")), ids=lambda p: p.name)
def test_every_object_with_properties_refuses_unknown_fields(file):
    schema = json.loads(file.read_text(encoding="utf-8"))
    loose = [where for where, obj in _objects(schema) if obj.get("additionalProperties") is not False]
    assert not loose, f"additionalProperties is not false at {loose}"


def test_every_query_has_a_request_and_a_response_schema_outside_the_event_types(catalog, queries):
    for q in catalog_queries():
        for part in ("request", "response"):
            t = queries.get(f"{q}.{part}")
            assert t.subject_field in t.schema["required"]
        assert q not in catalog and f"{q}.request" not in catalog


def test_masterdata_records_have_the_shape_of_the_upserted_messages(catalog):
    defs = catalog.get("masterdata.changed").schema["$defs"]
    for entity, source in (("customer", "party.customer.upserted"), ("supplier", "party.supplier.upserted"),
                           ("item", "item.upserted")):
        upserted = catalog.get(source).schema
        record = defs[entity]
        assert record["required"] == upserted["required"]
        assert _but_code_text(record["properties"]) == _but_code_text(upserted["properties"]), entity


def _but_code_text(props: dict[str, Any]) -> dict[str, Any]:
    """The properties with the code's description dropped (the golden code vs. the sender's code)."""
    return {k: {**v, "description": None} if k == "code" else v for k, v in props.items()}


# --------------------------------------------------------------- examples
def test_there_is_an_example_for_every_type():
    assert sorted(EXAMPLES) == sorted(catalog_types())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_realistic_payload_is_valid_and_yields_its_subject(catalog, name):
    t = catalog.get(name)
    t.validate(EXAMPLES[name])
    assert t.subject(EXAMPLES[name]) == str(EXAMPLES[name][t.subject_field])


@pytest.mark.parametrize("name", sorted(QUERY_EXAMPLES))
def test_a_realistic_query_request_and_response_are_valid(queries, name):
    queries.get(name).validate(QUERY_EXAMPLES[name])


def _with(payload: dict[str, Any], path: str, value: Any = ...) -> dict[str, Any]:
    """A deep copy of ``payload`` with the field at ``path`` ("lines/0/qty") set, or removed when no value."""
    copy = json.loads(json.dumps(payload))
    *parents, last = path.split("/")
    node: Any = copy
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return copy


INVALID = [
    ("goods.received", _with(EXAMPLES["goods.received"], "lines/0/qty"), "/lines/0", "'qty' is a required property"),
    ("approval.decided", _with(EXAMPLES["approval.decided"], "result", "maybe"), "/result", "'maybe' is not one of"),
    ("sales_order.credit_checked", _with(EXAMPLES["sales_order.credit_checked"], "reason"), "/",
     "'reason' is a required property"),
    ("sales_order.credit_checked", _with(EXAMPLES["sales_order.credit_checked"], "reason", None), "/reason",
     "None is not of type 'string'"),
    ("purchase_order.issued", _with(EXAMPLES["purchase_order.issued"], "currency", "rmb"), "/currency",
     "does not match"),
    ("party.customer.upserted", _with(EXAMPLES["party.customer.upserted"], "fax", "021-58881235"), "/",
     "Additional properties are not allowed ('fax'"),
    ("production_order.completed", _with(EXAMPLES["production_order.completed"], "defect_rate", 3.33),
     "/defect_rate", "greater than the maximum"),
    ("purchase_order.confirmed", _with(EXAMPLES["purchase_order.confirmed"], "lines/0/status", "ACCEPTED"),
     "/lines/0/status", "is not one of"),
    ("inventory.below_safety_stock", _with(EXAMPLES["inventory.below_safety_stock"], "substitutes/0/item"),
     "/substitutes/0", "'item' is a required property"),
    ("sales_order.confirmed", _with(EXAMPLES["sales_order.confirmed"], "lines", []), "/lines", "should be non-empty"),
    ("shipment.dispatched", _with(EXAMPLES["shipment.dispatched"], "lines/0/qty", 0), "/lines/0/qty",
     "less than or equal to the minimum"),
    ("complaint.resolved", _with(EXAMPLES["complaint.resolved"], "disposition", "refund"), "/disposition",
     "is not one of"),
    ("masterdata.changed", _with(EXAMPLES["masterdata.changed"], "record/uom", "PCS"), "/record",
     "Additional properties are not allowed ('uom'"),
    ("masterdata.changed", _with(EXAMPLES["masterdata.changed"], "xrefs/erp", 100001), "/xrefs/erp",
     "is not of type 'string'"),
    ("mrp.plan.released", _with(EXAMPLES["mrp.plan.released"], "run_id", 7), "/run_id", "is not of type 'string'"),
]


@pytest.mark.parametrize(("name", "payload", "path", "message"), INVALID,
                         ids=[f"{n}{p}" for n, _, p, _ in INVALID])
def test_a_broken_payload_is_refused_with_the_path(catalog, name, payload, path, message):
    with pytest.raises(SchemaError) as err:
        catalog.get(name).validate(payload)
    assert err.value.path == path
    assert message in str(err.value)


# --------------------------------------------------------------- the fast validator and the reference
def _mutations(payload: Any, path: tuple[Any, ...] = ()) -> Iterator[Any]:
    """``payload`` broken (or not) one place at a time: each field removed, each value replaced by
    values of every JSON type and edge, each object given an unknown key."""
    node = _at(payload, path)
    if isinstance(node, dict):
        yield _replaced(payload, path, {**node, "zz_unknown": 1})
        for key in node:
            yield _removed(payload, (*path, key))
    if path:
        for value in (None, True, 0, -1, 1.5, 10**12, "", "x", "2026-13-45", "ABC", "abc", [], [1], {}, {"a": 1}):
            yield _replaced(payload, path, value)
    children = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
    for key in children[:3] if isinstance(node, list) else children:  # a list's first items stand for the rest
        yield from _mutations(payload, (*path, key))


def _at(payload: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        payload = payload[key]
    return payload


def _replaced(payload: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(payload))
    _at(copy, path[:-1])[path[-1]] = value
    return copy


def _removed(payload: Any, path: tuple[Any, ...]) -> Any:
    copy = json.loads(json.dumps(payload))
    del _at(copy, path[:-1])[path[-1]]
    return copy


@pytest.mark.parametrize("name", sorted({*EXAMPLES, *QUERY_EXAMPLES}))
def test_the_fast_validator_and_the_reference_agree_on_every_payload_one_change_from_an_example(catalog, queries,
                                                                                                 name):
    t = catalog.types.get(name) or queries.get(name)
    example = EXAMPLES.get(name) or QUERY_EXAMPLES[name]
    assert t.fast is not None, f"{name}: jsonschema-rs could not compile the schema"
    cases = [example, *_mutations(example)]
    disagree = [(case, t.fast.is_valid(case)) for case in cases if t.fast.is_valid(case) != t.validator.is_valid(case)]
    assert disagree == [], f"{name}: {len(disagree)} of {len(cases)} payloads judged otherwise by jsonschema-rs"
    assert sum(not t.validator.is_valid(case) for case in cases) > len(cases) / 3, "the mutations break payloads"
