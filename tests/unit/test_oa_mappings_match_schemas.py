"""OA's inbound mappings give valid canonical payloads, with the business keys and times the flows need.

For every inbound event of ``connectors/oa.yaml``: each test case's ``expected`` output of its mapping
validates against the schema of the canonical type the event names; its ``correlate`` keys are the
conventional ones; its ``time`` gives an aware timestamp. Each outbound mapping's cases build bodies
that carry no nulls where OA would refuse them.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.catalog import Catalog
from hub.connectors.loader import load_connector
from hub.envelope import parse_time
from hub.mapping import MappingLibrary, make_engine
from hub.settings import REPO_ROOT

CONNECTOR = REPO_ROOT / "connectors" / "oa.yaml"
MAPPINGS = REPO_ROOT / "mappings"
ENGINES = ["jlens", "jsonata-python"]


def _events():
    return load_connector(CONNECTOR).connector.inbound.events


def _cases():
    library = MappingLibrary(MAPPINGS, make_engine("jlens"))
    for native, event in _events().items():
        for case in library.get(event.mapping).cases:
            if case.error is None:
                yield pytest.param(native, case.name, id=f"{native}::{case.name}")


def _case(library: MappingLibrary, mapping: str, name: str):
    return next(c for c in library.get(mapping).cases if c.name == name)


def test_every_oa_inbound_event_has_a_valid_case():
    events = _events()
    assert set(events) == {"bpms_instance_finished", "task_assigned", "task_completed", "user_onboarded"}
    natives = {p.values[0] for p in _cases()}
    assert natives == set(events)


@pytest.mark.parametrize(("native", "case_name"), list(_cases()))
def test_expected_output_matches_the_canonical_schema(native: str, case_name: str):
    event = _events()[native]
    library = MappingLibrary(MAPPINGS, make_engine("jlens"))
    case = _case(library, event.mapping, case_name)
    Catalog(MAPPINGS / "canonical").get(event.canonical).validate(case.expected)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("native", "case_name"), list(_cases()))
def test_correlation_keys_and_time(engine: str, native: str, case_name: str):
    event = _events()[native]
    eng = make_engine(engine)
    library = MappingLibrary(MAPPINGS, eng)
    case = _case(library, event.mapping, case_name)
    keys: list[str] = []
    for src in event.correlate:
        value = eng.compile(src, file="oa.yaml").evaluate({"native": case.input, "data": case.expected}, None, None)
        keys += value if isinstance(value, list) else [value]
    data = case.expected
    expected_key = {
        "approval.decided": {"purchase_requisition": "requisition:", "purchase_order": "purchase_order:",
                             "credit_release": "sales_order:"}.get(data.get("business_type"),
                                                                   f"approval:{data.get('business_type')}:")
                            + data.get("business_key", ""),
        "complaint.assigned": f"complaint:{data.get('complaint_id')}",
        "complaint.resolved": f"complaint:{data.get('complaint_id')}",
        "employee.onboarded": f"employee:{data.get('employee_id')}",
    }[event.canonical]
    assert keys == [expected_key]
    assert event.time, f"{native} declares no time"
    when = parse_time(eng.compile(event.time, file="oa.yaml").evaluate(case.input, None, None))
    assert isinstance(when, datetime) and when.utcoffset() is not None
    content_time = (case.input.get("content") or {})
    local = content_time.get("finishTime") if native in ("bpms_instance_finished", "task_completed") \
        else content_time.get("createTime")
    if local:
        assert when.isoformat() == local.replace(" ", "T") + "+08:00"


def test_outbound_bodies_carry_no_nulls():
    library = MappingLibrary(MAPPINGS, make_engine("jlens"))
    connector = load_connector(CONNECTOR).connector
    for op in connector.operations.values():
        mapping = library.get(op.mapping)
        for case in mapping.cases:
            if case.error is not None:
                continue
            body = case.expected
            assert all(v is not None for v in body.values()), f"{op.mapping}::{case.name}"
            for component in body.get("formComponentValues", []):
                assert isinstance(component["value"], str) and component["name"], f"{op.mapping}::{case.name}"


def test_code_tables_agree_both_ways():
    import yaml
    to_oa = yaml.safe_load((MAPPINGS / "codemaps" / "oa_process_code.yaml").read_text(encoding="utf-8"))
    from_oa = yaml.safe_load((MAPPINGS / "codemaps" / "oa_business_type.yaml").read_text(encoding="utf-8"))
    originators = yaml.safe_load((MAPPINGS / "codemaps" / "oa_originator.yaml").read_text(encoding="utf-8"))
    for code, business_type in from_oa.items():
        assert to_oa[business_type] == code
        assert code in originators
    assert set(to_oa.values()) == set(from_oa)



# ----------------------------------------------------------------- round trip
@pytest.fixture(scope="module")
def oa(tmp_path_factory: pytest.TempPathFactory):
    from fastapi.testclient import TestClient

    from mocks.common import MockSettings
    from mocks.oa.app import build
    folder = tmp_path_factory.mktemp("oa")
    # webhooks stay in OA's outbox (read through /_admin/webhooks): nothing listens on port 9
    settings = MockSettings.from_env("oa", database_url=f"sqlite:///{folder}/oa.db", hub_url="http://127.0.0.1:9")
    with TestClient(build(settings)) as client:
        yield client


@pytest.mark.parametrize("engine", ENGINES)
def test_the_quality_finding_from_mes_closes_the_complaint_task_and_its_resolution_goes_on(oa, engine):
    from mocks.oa import events as oa_events
    from tests.support.harness import DryHub, Outbox, send

    assert oa.post("/_admin/reset").status_code == 200
    hub, outbox = DryHub("oa", engine), Outbox(oa, oa_events.envelope)
    opened = {"specversion": "1.0", "id": "m-o1", "source": "/connectors/crm", "type": "complaint.opened",
              "data": {"complaint_id": "CMP-000001", "customer": "CUS-000101", "severity": "high",
                       "order_no": "SO-20261122-0001", "description": "桌腿焊点开裂"}}
    [task] = send(oa, hub, opened)
    assert (task["handledIn"], task["executorUserId"]) == ("MES", "yangjing")
    [(assigned, _)] = [hub.inbound(b) for b in outbox.new()]
    assert assigned["type"] == "complaint.assigned"
    assert hub.xref("complaint", "CMP-000001", "crm", "oa") == task["taskId"]  # learnt from task_assigned

    for _ in range(3):  # OA leaves a task worked in MES to MES
        assert oa.post("/_admin/simulation/tick").status_code == 200
    assert oa.get(f"/api/tasks/{task['taskId']}").json()["status"] == "RUNNING"

    investigated = {"specversion": "1.0", "id": "m-o2", "source": "/connectors/mes", "type": "complaint.investigated",
                    "data": {"complaint_id": "CMP-000001", "investigation_no": "QN2026120001",
                             "root_cause": "焊接电流偏低导致桌腿焊点虚焊", "corrective_action": "调整焊接参数，焊点全检",
                             "disposition": "replace", "investigated_by": "OP-006", "production_orders": ["MO-000001"],
                             "inspections": ["QC202612060001"]}}
    [(op, _, path, _)] = hub.outbound(investigated)
    assert (op, path) == ("complete_complaint_task", f"/api/tasks/{task['taskId']}/complete")
    [done] = send(oa, hub, investigated)
    assert (done["status"], done["completedByUserId"], done["correctiveAction"]) == (
        "COMPLETED", "yangjing", "调整焊接参数，焊点全检")
    [(resolved, keys)] = [hub.inbound(b) for b in outbox.new()]
    assert resolved["type"] == "complaint.resolved" and keys == ["complaint:CMP-000001"]
    assert (resolved["data"]["root_cause"], resolved["data"]["corrective_action"], resolved["data"]["disposition"]) == (
        "焊接电流偏低导致桌腿焊点虚焊", "调整焊接参数，焊点全检", "replace")
