"""Tasks routed to departments: complaints to quality, due by severity, completion."""

from __future__ import annotations

from datetime import datetime, timedelta

from mocks.oa.tests.conftest import complaint, events

QA_DEPT = 105
PROD_DEPT = 103


def _hours_between(start: str, end: str) -> float:
    fmt = "%Y-%m-%d %H:%M:%S"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)) / timedelta(hours=1)


def test_a_complaint_goes_to_the_quality_department_head(client):
    task = complaint(client)
    assert task["taskId"] == "TASK-000001" and task["status"] == "RUNNING"
    assert (task["deptId"], task["deptName"], task["executorUserId"]) == (QA_DEPT, "质量部", "yangjing")
    assert task["sourceId"] == "CMP-2026-0001"


def test_the_due_time_follows_the_severity(client):
    hours = {sev: _hours_between(t["createTime"], t["dueTime"])
             for sev in ("critical", "high", "medium", "low")
             for t in [complaint(client, source_id=f"CMP-{sev}", severity=sev)]}
    assert hours == {"critical": 24, "high": 48, "medium": 72, "low": 120}


def test_a_critical_complaint_also_notifies_the_general_manager(client):
    critical = complaint(client, source_id="CMP-C", severity="critical")
    assert critical["notifiedUserIds"] == ["zhangwei"]
    gm_inbox = client.get("/api/notifications", params={"userId": "zhangwei"}).json()
    assert [n["link"] for n in gm_inbox] == [f"/api/tasks/{critical['taskId']}"]
    assert complaint(client, source_id="CMP-H", severity="high")["notifiedUserIds"] == []
    assert len(client.get("/api/notifications", params={"userId": "zhangwei"}).json()) == 1
    assert len(client.get("/api/notifications", params={"userId": "yangjing"}).json()) == 2


def test_a_task_can_be_routed_to_another_department_explicitly(client):
    task = complaint(client, deptId=PROD_DEPT)
    assert (task["deptId"], task["executorUserId"]) == (PROD_DEPT, "chenjie")
    r = client.post("/api/tasks", json={"sourceId": "CMP-9", "title": "x", "deptId": 999})
    assert r.status_code == 422 and r.json()["error"]["field"] == "deptId"


def test_a_source_type_without_routing_rule_is_refused_naming_it(client):
    r = client.post("/api/tasks", json={"sourceType": "gossip", "sourceId": "G-1", "title": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "sourceType"


def test_the_same_complaint_sent_twice_makes_one_task(client):
    first = complaint(client, source_id="CMP-2026-0009")
    again = complaint(client, source_id="CMP-2026-0009", expect=200)
    assert again["taskId"] == first["taskId"]
    assert len(client.get("/api/tasks").json()) == 1


def test_assignment_is_announced_with_complaint_id_department_assignee_and_due_time(client, receiver):
    task = complaint(client, source_id="CMP-2026-0003")
    [assigned] = events(receiver, "task_assigned")
    assert assigned["bizId"] == task["taskId"]
    c = assigned["content"]
    assert (c["sourceId"], c["taskId"], c["deptName"], c["deptSourceIdentifier"], c["executorUserId"],
            c["dueTime"]) == ("CMP-2026-0003", task["taskId"], "质量部", "QA", "yangjing", task["dueTime"])


def test_completing_a_task_records_root_cause_and_disposition_and_announces_it(client, receiver):
    task_id = complaint(client)["taskId"]
    r = client.post(f"/api/tasks/{task_id}/complete",
                    json={"userId": "yangjing", "rootCause": "焊接电流偏低导致虚焊", "disposition": "replace"})
    assert r.status_code == 200
    done = r.json()
    assert (done["status"], done["rootCause"], done["disposition"], done["completedByUserId"]) == \
        ("COMPLETED", "焊接电流偏低导致虚焊", "replace", "yangjing")
    [completed] = events(receiver, "task_completed")
    c = completed["content"]
    assert (c["sourceId"], c["rootCause"], c["disposition"], c["finishTime"]) == \
        ("CMP-2026-0001", "焊接电流偏低导致虚焊", "replace", done["finishTime"])


def test_only_the_assignee_or_a_member_of_the_department_may_complete(client):
    task_id = complaint(client)["taskId"]
    body = {"rootCause": "x", "disposition": "repair"}
    r = client.post(f"/api/tasks/{task_id}/complete", json={**body, "userId": "liqiang"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "userId"
    client.post("/api/onboardings", json={"name": "质检员", "deptId": QA_DEPT, "position": "质检员",
                                          "startDate": "2026-04-01", "userId": "qa_zhou"})
    r = client.post(f"/api/tasks/{task_id}/complete", json={**body, "userId": "qa_zhou"})
    assert r.status_code == 200 and r.json()["completedByUserId"] == "qa_zhou"


def test_an_unknown_disposition_is_refused_naming_the_field(client):
    task_id = complaint(client)["taskId"]
    r = client.post(f"/api/tasks/{task_id}/complete",
                    json={"userId": "yangjing", "rootCause": "x", "disposition": "refund"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "disposition"
    assert client.get(f"/api/tasks/{task_id}").json()["status"] == "RUNNING"


def test_a_completed_task_cannot_be_completed_again(client):
    task_id = complaint(client)["taskId"]
    body = {"userId": "yangjing", "rootCause": "x", "disposition": "credit"}
    assert client.post(f"/api/tasks/{task_id}/complete", json=body).status_code == 200
    r = client.post(f"/api/tasks/{task_id}/complete", json=body)
    assert r.status_code == 409 and r.json()["error"]["field"] == "taskId"


def test_an_unknown_task_id_is_404_naming_it(client):
    for task_id in ("TASK-000404", "nonsense"):
        r = client.get(f"/api/tasks/{task_id}")
        assert r.status_code == 404 and r.json()["error"]["field"] == "taskId"


def test_tasks_are_listed_by_status_and_department(client):
    open_id = complaint(client, source_id="A")["taskId"]
    done_id = complaint(client, source_id="B")["taskId"]
    client.post(f"/api/tasks/{done_id}/complete", json={"userId": "yangjing", "rootCause": "x", "disposition": "repair"})
    assert [t["taskId"] for t in client.get("/api/tasks", params={"status": "RUNNING"}).json()] == [open_id]
    assert len(client.get("/api/tasks", params={"deptId": QA_DEPT}).json()) == 2
    assert client.get("/api/routingrules").json()[0] == {
        "sourceType": "complaint", "severity": "critical", "deptId": QA_DEPT, "notifyUserIds": ["zhangwei"]}


def test_a_task_worked_in_mes_is_completed_with_its_corrective_action(client, receiver):
    task = complaint(client, handledIn="MES")
    assert task["handledIn"] == "MES"
    body = {"userId": "yangjing", "rootCause": "焊接电流偏低导致虚焊", "correctiveAction": "调整焊接参数，焊点全检",
            "disposition": "replace", "remark": "MES QN2026120001"}
    first = client.post(f"/api/tasks/{task['taskId']}/complete", json=body)
    assert first.status_code == 200 and first.json()["correctiveAction"] == "调整焊接参数，焊点全检"
    [completed] = events(receiver, "task_completed")
    assert completed["content"]["correctiveAction"] == "调整焊接参数，焊点全检"
