"""OA starts with the shared company: departments with heads, employees, approval definitions."""

from __future__ import annotations

from mocks.common import company


def test_every_company_department_exists_with_its_head(client):
    depts = {d["sourceIdentifier"]: d for d in client.get("/api/departments").json() if d["sourceIdentifier"]}
    assert set(depts) == {d["key"] for d in company.DEPARTMENTS}
    assert {k: d["managerUserId"] for k, d in depts.items()} == {
        "GM": "zhangwei", "SALES": "wangfang", "PROD": "chenjie", "PUR": "liuyang", "QA": "yangjing",
        "WH": "huanglei", "FIN": "zhoumin"}
    assert depts["QA"]["name"] == "质量部"


def test_every_employee_is_a_user_under_their_oa_id(client):
    users = {u["userId"]: u for u in client.get("/api/users").json()}
    assert set(users) == {e["ids"]["oa"] for e in company.EMPLOYEES}
    assert (users["liqiang"]["name"], users["liqiang"]["managerUserId"], users["liqiang"]["jobNumber"]) == \
        ("李强", "wangfang", "E003")


def test_process_definitions_carry_the_company_threshold_and_gm_as_second_approver(client):
    defs = {d["processCode"]: d for d in client.get("/api/processes").json()}
    assert defs["PURCHASE_REQUISITION"]["firstApproverUserId"] == "liuyang"
    assert all(d["thresholdAmount"] == f"{company.APPROVAL_THRESHOLD_CNY:.2f}" for d in defs.values())
    assert all(d["secondApproverUserId"] == "zhangwei" for d in defs.values())


def test_reset_drops_everything_and_seeds_again(client):
    client.post("/api/onboardings", json={"name": "x", "deptId": 103, "position": "p", "startDate": "2026-04-01"})
    assert client.post("/_admin/reset").status_code == 200
    assert len(client.get("/api/users").json()) == len(company.EMPLOYEES)
    assert client.get("/api/onboardings").json() == []


def test_the_api_is_documented_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/processinstances", "/api/processinstances/{processInstanceId}/approve",
                 "/api/processinstances/{processInstanceId}/refuse",
                 "/api/processinstances/{processInstanceId}/terminate", "/api/tasks",
                 "/api/tasks/{taskId}/complete", "/api/notifications", "/api/onboardings", "/api/users",
                 "/api/departments"):
        assert path in paths
    assert paths["/api/processinstances"]["post"]["summary"] == "Start an approval"
