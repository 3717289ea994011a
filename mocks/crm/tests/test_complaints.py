"""Service complaints: open → assigned → resolved → closed, fed by OA through the hub."""

from mocks.crm.tests.conftest import CHAIR, DESK, MINGHUI, events_of, ok, submitted

ASSIGNMENT = {"taskId": "TASK-0042", "department": "质量部", "assignee": "yangjing",
              "dueAt": "2026-12-12T18:00:00+08:00"}
RESOLUTION = {"rootCause": "焊接电流偏低 (low welding current)", "disposition": "replace",
              "resolvedAt": "2026-12-11T09:30:00+08:00"}


def _open(client, **extra):
    body = {"customerId": MINGHUI, "productCode": DESK, "lot": "LOT-20261206-01", "severity": "high",
            "description": "桌腿焊缝开裂 (leg weld cracked)"} | extra
    return ok(client.post("/api/v1/complaints", json=body), 201)


def test_a_complaint_is_opened_emitted_assigned_resolved_and_closed(client):
    order_no = submitted(client)["orderNo"]
    complaint = _open(client, orderNo=order_no)
    assert (complaint["complaintId"], complaint["status"]) == ("CMP-000001", "open")
    [event] = events_of(client, "complaint.opened")
    assert event["data"]["complaintId"] == "CMP-000001" and event["data"]["orderNo"] == order_no
    assert event["data"]["severity"] == "high" and event["data"]["lot"] == "LOT-20261206-01"

    cid = complaint["complaintId"]
    assigned = ok(client.post(f"/api/v1/complaints/{cid}/assignment", json=ASSIGNMENT))
    assert (assigned["status"], assigned["taskId"], assigned["department"]) == ("assigned", "TASK-0042", "质量部")
    resolved = ok(client.post(f"/api/v1/complaints/{cid}/resolution", json=RESOLUTION))
    assert (resolved["status"], resolved["disposition"], resolved["resolvedAt"]) == (
        "resolved", "replace", "2026-12-11T09:30:00+08:00")
    closed = ok(client.post(f"/api/v1/complaints/{cid}/close"))
    assert closed["status"] == "closed" and closed["closedAt"].endswith("+08:00")
    assert [c["complaintId"] for c in ok(client.get("/api/v1/complaints", params={"orderNo": order_no}))] == [cid]


def test_a_resolution_before_assignment_is_refused_naming_the_status_rule(client):
    cid = _open(client)["complaintId"]
    r = client.post(f"/api/v1/complaints/{cid}/resolution", json=RESOLUTION)
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "status" and "open → resolved is not allowed" in r.json()["error"]["message"]
    r = client.post(f"/api/v1/complaints/{cid}/close")
    assert r.status_code == 409


def test_the_same_assignment_and_resolution_sent_again_change_nothing(client):
    cid = _open(client)["complaintId"]
    first = ok(client.post(f"/api/v1/complaints/{cid}/assignment", json=ASSIGNMENT))
    assert ok(client.post(f"/api/v1/complaints/{cid}/assignment", json=ASSIGNMENT)) == first
    resolved = ok(client.post(f"/api/v1/complaints/{cid}/resolution", json=RESOLUTION))
    assert ok(client.post(f"/api/v1/complaints/{cid}/resolution", json=RESOLUTION)) == resolved
    r = client.post(f"/api/v1/complaints/{cid}/assignment", json={**ASSIGNMENT, "taskId": "TASK-0043"})
    assert r.status_code == 409  # resolved complaints are not re-assigned


def test_a_complaint_may_be_reassigned_before_it_is_resolved(client):
    cid = _open(client)["complaintId"]
    ok(client.post(f"/api/v1/complaints/{cid}/assignment", json=ASSIGNMENT))
    moved = ok(client.post(f"/api/v1/complaints/{cid}/assignment",
                           json={**ASSIGNMENT, "department": "生产部", "assignee": "chenjie"}))
    assert (moved["status"], moved["assignee"]) == ("assigned", "chenjie")


UNKNOWN = [
    ({"orderNo": "SO-20260101-0404"}, "orderNo"),
    ({"severity": "urgent"}, "severity"),
    ({"productCode": "PRD-NOPE"}, "productCode"),
    ({"customerId": "CUS-000999"}, "customerId"),
]


def test_a_complaint_naming_something_unknown_is_a_422_naming_the_field(client):
    for extra, field in UNKNOWN:
        body = {"customerId": MINGHUI, "severity": "low", "description": "scratch"} | extra
        r = client.post("/api/v1/complaints", json=body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, extra


def test_a_complaint_must_be_about_the_customers_own_order_and_its_products(client):
    order_no = submitted(client)["orderNo"]
    r = client.post("/api/v1/complaints", json={"customerId": "CUS-000102", "orderNo": order_no,
                                                "severity": "low", "description": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "order_of_other_customer"
    ok(client.put("/api/v1/products/PRD-CABINET-3", json={"name": "文件柜", "listPrice": 900}), 201)
    r = client.post("/api/v1/complaints", json={"customerId": MINGHUI, "orderNo": order_no,
                                                "productCode": "PRD-CABINET-3", "severity": "low",
                                                "description": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "productCode"
    assert _open(client, orderNo=order_no, productCode=CHAIR)["productCode"] == CHAIR


def test_the_resolution_shows_the_quality_departments_corrective_action(client):
    cid = _open(client)["complaintId"]
    ok(client.post(f"/api/v1/complaints/{cid}/assignment", json=ASSIGNMENT))
    body = {**RESOLUTION, "correctiveAction": "调整焊接参数，焊点全检 (welding reset, every joint checked)"}
    resolved = ok(client.post(f"/api/v1/complaints/{cid}/resolution", json=body))
    assert resolved["correctiveAction"] == body["correctiveAction"] and resolved["status"] == "resolved"
    assert ok(client.post(f"/api/v1/complaints/{cid}/resolution", json=body)) == resolved
    r = client.post(f"/api/v1/complaints/{cid}/resolution", json={**body, "correctiveAction": "另一个措施"})
    assert r.status_code == 409  # a resolved complaint keeps the finding it was resolved with
