"""Employee onboarding: a user is created and announced (→ employee.onboarded)."""

from __future__ import annotations

from mocks.oa.tests.conftest import events

PROD_DEPT = 103


def _onboard(client, expect=201, **changes):
    body = {"name": "赵磊", "deptId": PROD_DEPT, "position": "装配工", "startDate": "2026-04-01",
            "roles": ["operator"], **changes}
    r = client.post("/api/onboardings", json=body)
    assert r.status_code == expect, r.text
    return r.json()


def test_onboarding_creates_a_user_with_a_generated_id_under_the_department_head(client):
    onboarding = _onboard(client)
    assert onboarding["onboardingId"] == "ONB-00001" and onboarding["userId"] == "emp0010"
    user = client.get("/api/users/emp0010").json()
    assert (user["name"], user["deptId"], user["managerUserId"], user["jobNumber"], user["hiredDate"],
            user["roles"]) == ("赵磊", PROD_DEPT, "chenjie", "E010", "2026-04-01", ["operator"])
    assert _onboard(client, name="钱进")["userId"] == "emp0011"
    assert "emp0010" in client.get(f"/api/departments/{PROD_DEPT}").json()["memberUserIds"]


def test_onboarding_is_announced_in_a_user_onboarded_webhook(client, receiver):
    _onboard(client, managerUserId="wutao")
    [event] = events(receiver, "user_onboarded")
    assert event["bizId"] == "emp0010"
    c = event["content"]
    assert (c["userId"], c["name"], c["deptName"], c["deptSourceIdentifier"], c["position"], c["managerUserId"],
            c["hiredDate"], c["roles"]) == ("emp0010", "赵磊", "生产部", "PROD", "装配工", "wutao", "2026-04-01",
                                            ["operator"])


def test_a_given_user_id_is_kept_and_a_taken_one_is_refused(client):
    assert _onboard(client, userId="zhaolei")["userId"] == "zhaolei"
    r = _onboard(client, expect=409, userId="liqiang")
    assert r["error"]["field"] == "userId"
    assert _onboard(client, expect=422, userId="Bad Id!")["error"]["field"] == "userId"


def test_unknown_department_manager_or_role_is_refused_naming_the_field(client):
    assert _onboard(client, expect=422, deptId=999)["error"]["field"] == "deptId"
    assert _onboard(client, expect=422, managerUserId="ghost")["error"]["field"] == "managerUserId"
    assert _onboard(client, expect=422, roles=["operator", "superuser"])["error"]["field"] == "roles"
    assert _onboard(client, expect=422, startDate="01/04/2026")["error"]["field"] == "startDate"
    assert client.get("/api/onboardings").json() == []


def test_unknown_ids_in_the_path_are_404(client):
    assert client.get("/api/users/ghost").json()["error"]["field"] == "userId"
    assert client.get("/api/departments/999").status_code == 404
    assert client.get("/api/onboardings/ONB-00099").status_code == 404
