"""Approval workflows: approver chain by amount, decisions, budget flags, events."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook

from mocks.common import company
from mocks.oa.tests.conftest import decide, events, start

THRESHOLD = f"{company.APPROVAL_THRESHOLD_CNY:.2f}"


def test_below_the_threshold_the_purchasing_manager_alone_approves_and_completes_it(client):
    inst = start(client, "49999.99")
    assert inst["status"] == "RUNNING" and inst["approverUserIds"] == ["liuyang"]
    assert inst["currentApproverUserId"] == "liuyang"
    done = decide(client, inst["processInstanceId"], "approve", "liuyang", "同意")
    assert done["status"] == "COMPLETED" and done["result"] == "agree" and done["finishTime"]
    assert done["currentApproverUserId"] is None


def test_at_the_threshold_the_general_manager_approves_after_the_first_approver(client):
    inst = start(client, THRESHOLD)
    pid = inst["processInstanceId"]
    assert inst["approverUserIds"] == ["liuyang", "zhangwei"]
    after_first = decide(client, pid, "approve", "liuyang", "同意，报总经理")
    assert after_first["status"] == "RUNNING" and after_first["currentApproverUserId"] == "zhangwei"
    done = decide(client, pid, "approve", "zhangwei", "同意")
    assert done["status"] == "COMPLETED" and done["result"] == "agree"


def test_the_first_approver_is_configured_per_process_code(client):
    assert start(client, "1000", process_code="SALES_CREDIT", business_id="SO-1")["approverUserIds"] == ["wangfang"]
    r = client.put("/api/processes/SALES_CREDIT", json={"firstApproverUserId": "zhoumin", "thresholdAmount": "500"})
    assert r.status_code == 200 and r.json()["thresholdAmount"] == "500.00"
    assert start(client, "1000", process_code="SALES_CREDIT", business_id="SO-2")["approverUserIds"] == \
        ["zhoumin", "zhangwei"]


def test_configuring_an_unknown_approver_is_refused_naming_the_field(client):
    r = client.put("/api/processes/EXPENSE", json={"secondApproverUserId": "nobody"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "secondApproverUserId"


def test_only_the_current_approver_may_decide_and_others_are_refused_naming_user_id(client):
    pid = start(client, "80000")["processInstanceId"]
    r = client.post(f"/api/processinstances/{pid}/approve", json={"userId": "zhangwei"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "not_current_approver" and r.json()["error"]["field"] == "userId"
    r = client.post(f"/api/processinstances/{pid}/approve", json={"userId": "ghost"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "userId"
    assert client.get(f"/api/processinstances/{pid}").json()["currentApproverUserId"] == "liuyang"


def test_a_refusal_needs_a_comment_and_ends_the_approval_with_result_refuse(client):
    pid = start(client, "80000")["processInstanceId"]
    r = client.post(f"/api/processinstances/{pid}/refuse", json={"userId": "liuyang", "remark": " "})
    assert r.status_code == 422 and r.json()["error"]["field"] == "remark"
    done = decide(client, pid, "refuse", "liuyang", "供应商报价偏高，请重新询价")
    assert done["status"] == "COMPLETED" and done["result"] == "refuse"
    assert [t["userId"] for t in done["tasks"]] == ["liuyang"]  # the GM is never asked


def test_each_decision_step_is_recorded_with_approver_result_and_comment(client):
    pid = start(client, "120000")["processInstanceId"]
    decide(client, pid, "approve", "liuyang", "同意")
    decide(client, pid, "approve", "zhangwei", "金额较大，同意")
    steps = client.get(f"/api/processinstances/{pid}").json()["tasks"]
    assert [(s["stepNo"], s["userId"], s["status"], s["result"], s["remark"]) for s in steps] == [
        (1, "liuyang", "COMPLETED", "agree", "同意"), (2, "zhangwei", "COMPLETED", "agree", "金额较大，同意")]
    assert all(s["finishTime"] for s in steps)


def test_a_finished_approval_cannot_be_decided_again(client):
    pid = start(client, "100")["processInstanceId"]
    decide(client, pid, "approve", "liuyang")
    r = client.post(f"/api/processinstances/{pid}/refuse", json={"userId": "liuyang", "remark": "改主意"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "processInstanceId"


def test_an_amount_over_the_available_budget_is_flagged_but_not_blocked(client):
    form = [{"name": "预算科目", "value": "PUR-2026-RM"}, {"name": "可用预算", "value": "30000.00"}]
    inst = start(client, "45000", form=form)
    assert inst["status"] == "RUNNING" and inst["budgetAvailable"] == "30000.00"
    assert "超出可用预算" in inst["budgetWarning"] and "PUR-2026-RM" in inst["budgetWarning"]
    within = start(client, "25000", form=form, business_id="PR-2026-0002")
    assert within["budgetWarning"] is None


def test_the_amount_may_come_from_the_form_and_must_agree_with_it(client):
    body = {"processCode": "EXPENSE", "businessId": "EXP-1", "title": "差旅", "originatorUserId": "liqiang",
            "formComponentValues": [{"name": "金额", "value": "3200.50"}]}
    r = client.post("/api/processinstances", json=body)
    assert r.status_code == 201 and r.json()["amount"] == "3200.50"
    r = client.post("/api/processinstances", json={**body, "businessId": "EXP-2", "amount": "999"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "amount"
    for value in ("lots", "1.234"):
        bad = {**body, "businessId": "EXP-3", "formComponentValues": [{"name": "金额", "value": value}]}
        r = client.post("/api/processinstances", json=bad)
        assert r.status_code == 422 and r.json()["error"]["field"] == "formComponentValues.金额"


def test_unknown_originator_process_or_non_string_form_value_is_refused_naming_the_field(client):
    body = {"processCode": "PURCHASE_REQUISITION", "businessId": "PR-X", "title": "x",
            "originatorUserId": "liqiang", "amount": "10"}
    for change, field in (({"originatorUserId": "ghost"}, "originatorUserId"),
                          ({"processCode": "NOPE"}, "processCode"),
                          ({"formComponentValues": [{"name": "金额", "value": 10}]}, "formComponentValues.0.value"),
                          ({"amout": "10"}, "amout")):
        r = client.post("/api/processinstances", json={**body, **change})
        assert r.status_code == 422, change
        assert r.json()["error"]["field"] == field
    assert client.get("/api/processinstances").json() == []


def test_an_unknown_process_instance_id_is_404_naming_it(client):
    r = client.post("/api/processinstances/PROC-nope/approve", json={"userId": "liuyang"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "processInstanceId"


def test_the_same_business_id_returns_the_live_instance_and_a_refused_one_can_be_resubmitted(client):
    first = start(client, "5000", business_id="PR-2026-0042")
    again = start(client, "5000", business_id="PR-2026-0042", expect=200)
    assert again["processInstanceId"] == first["processInstanceId"]
    decide(client, first["processInstanceId"], "refuse", "liuyang", "数量有误")
    resubmitted = start(client, "4000", business_id="PR-2026-0042")
    assert resubmitted["processInstanceId"] != first["processInstanceId"]
    found = client.get("/api/processinstances", params={"businessId": "PR-2026-0042"}).json()
    assert [i["result"] for i in found] == ["refuse", None]


def test_only_the_originator_may_terminate_and_it_ends_terminated(client, receiver):
    pid = start(client, "5000")["processInstanceId"]
    r = client.post(f"/api/processinstances/{pid}/terminate", json={"operatingUserId": "liuyang"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "operatingUserId"
    r = client.post(f"/api/processinstances/{pid}/terminate", json={"operatingUserId": "liqiang", "remark": "需求取消"})
    assert r.json()["status"] == "TERMINATED" and r.json()["result"] is None
    assert r.json()["tasks"][0]["status"] == "CANCELED"
    [finished] = events(receiver, "bpms_instance_finished")
    assert finished["content"]["type"] == "terminate" and finished["content"]["remark"] == "需求取消"


def test_the_pending_approver_is_notified_and_can_list_what_awaits_them(client):
    inst = start(client, "60000")
    inbox = client.get("/api/notifications", params={"userId": "liuyang", "read": False}).json()
    assert any(inst["processInstanceId"] in (n["link"] or "") for n in inbox)
    todo = client.get("/api/processinstances", params={"approverUserId": "liuyang"}).json()
    assert [i["processInstanceId"] for i in todo] == [inst["processInstanceId"]]
    assert client.get("/api/processinstances", params={"approverUserId": "zhangwei"}).json() == []


def test_a_finished_approval_is_announced_in_a_signed_bpms_instance_finished_webhook(client, receiver):
    pid = start(client, "70000", business_id="PR-2026-0007")["processInstanceId"]
    decide(client, pid, "approve", "liuyang", "同意")
    decide(client, pid, "approve", "zhangwei", "同意采购")
    [finished] = events(receiver, "bpms_instance_finished")
    assert finished["bizId"] == pid and finished["corpId"] == "hengjia"
    assert isinstance(finished["eventTime"], int) and finished["eventTime"] > 1_700_000_000_000
    c = finished["content"]
    assert (c["processInstanceId"], c["businessId"], c["result"], c["staffId"], c["remark"], c["type"]) == \
        (pid, "PR-2026-0007", "agree", "zhangwei", "同意采购", "finish")
    assert len(c["finishTime"]) == 19 and c["amount"] == "70000.00"
    raw = next(r for r in receiver.requests if b"bpms_instance_finished" in r["body"])
    assert raw["path"] == "/webhooks/oa"
    verified = Webhook(client.app.state.settings.secret).verify(raw["body"], raw["headers"])
    assert verified["msgType"] == "bpms_instance_finished"


def test_each_step_emits_bpms_task_change_start_and_finish(client, receiver):
    pid = start(client, "70000")["processInstanceId"]
    decide(client, pid, "approve", "liuyang", "同意")
    changes = events(receiver, "bpms_task_change", 3)
    assert [(c["content"]["staffId"], c["content"]["type"]) for c in changes] == [
        ("liuyang", "start"), ("liuyang", "finish"), ("zhangwei", "start")]


def test_a_repeated_idempotency_key_starts_one_approval(client):
    body = {"processCode": "PURCHASE_REQUISITION", "businessId": "PR-IDEM", "title": "x",
            "originatorUserId": "liqiang", "amount": "10"}
    first = client.post("/api/processinstances", json=body, headers={"Idempotency-Key": "hub-msg-1"})
    again = client.post("/api/processinstances", json=body, headers={"Idempotency-Key": "hub-msg-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert len(client.get("/api/processinstances").json()) == 1
    assert client.get("/_admin/idempotency").json() == {"applied": 1, "replayed": 1}
