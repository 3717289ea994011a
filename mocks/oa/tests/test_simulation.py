"""The simulation decides approvals and closes tasks on its own, the same way for the same seed."""

from __future__ import annotations

from mocks.oa.simulation import AUTO_APPROVE_ENV
from mocks.oa.tests.conftest import complaint, start

OVER_BUDGET = [{"name": "预算科目", "value": "PUR-2026-RM"}, {"name": "可用预算", "value": "60000.00"}]


def _tick(client):
    r = client.post("/_admin/simulation/tick")
    assert r.status_code == 200 and r.json()["ticked"] is True
    return r.json()["result"]


def _inst(client, pid):
    return client.get(f"/api/processinstances/{pid}").json()


def test_a_tick_agrees_small_approvals_and_refuses_large_ones_over_budget_with_the_reason(client):
    small = start(client, "8000", business_id="PR-S", form=OVER_BUDGET[:1])["processInstanceId"]
    small_over = start(client, "49000", business_id="PR-SO",
                       form=[OVER_BUDGET[0], {"name": "可用预算", "value": "100.00"}])["processInstanceId"]
    large_over = start(client, "90000", business_id="PR-L", form=OVER_BUDGET)["processInstanceId"]
    result = _tick(client)
    assert result["agreed"] == [small, small_over] and result["refused"] == [large_over]
    assert _inst(client, small)["result"] == "agree" and _inst(client, small_over)["result"] == "agree"
    refused = _inst(client, large_over)
    assert refused["result"] == "refuse" and refused["tasks"][0]["userId"] == "liuyang"
    assert "超出可用预算" in refused["tasks"][0]["remark"]


def test_a_large_approval_within_budget_is_agreed_one_step_per_tick(client):
    pid = start(client, "90000", business_id="PR-L2",
                form=[OVER_BUDGET[0], {"name": "可用预算", "value": "1650000.00"}])["processInstanceId"]
    _tick(client)
    assert _inst(client, pid)["currentApproverUserId"] == "zhangwei"
    _tick(client)
    done = _inst(client, pid)
    assert done["status"] == "COMPLETED" and done["result"] == "agree"
    assert [t["userId"] for t in done["tasks"]] == ["liuyang", "zhangwei"]


def test_open_tasks_are_completed_by_their_assignee_after_two_ticks(client):
    task_id = complaint(client)["taskId"]
    assert _tick(client)["tasksCompleted"] == []
    assert _tick(client)["tasksCompleted"] == [task_id]
    task = client.get(f"/api/tasks/{task_id}").json()
    assert task["status"] == "COMPLETED" and task["completedByUserId"] == "yangjing"
    assert task["rootCause"] and task["disposition"] in ("replace", "credit", "repair")


def test_the_same_seed_makes_the_same_choices(make_client):
    outcomes = []
    for name in ("a", "b"):
        client = make_client(name)
        pids = [start(client, "100", business_id=f"PR-{n}")["processInstanceId"] for n in range(4)]
        tasks = [complaint(client, source_id=f"CMP-{n}")["taskId"] for n in range(3)]
        _tick(client)
        _tick(client)
        outcomes.append(([_inst(client, p)["tasks"][0]["remark"] for p in pids],
                         [client.get(f"/api/tasks/{t}").json()["rootCause"] for t in tasks]))
    assert outcomes[0] == outcomes[1]


def test_the_auto_approve_threshold_comes_from_the_environment(client, monkeypatch):
    monkeypatch.setenv(AUTO_APPROVE_ENV, "1000")
    pid = start(client, "5000", form=[OVER_BUDGET[0], {"name": "可用预算", "value": "100.00"}])["processInstanceId"]
    assert _tick(client)["refused"] == [pid]


def test_a_credit_release_for_a_customer_with_overdue_receivables_is_refused_with_the_reason(client):
    overdue = start(client, "45000", business_id="SO-OVERDUE", process_code="SALES_CREDIT",
                    form=[{"name": "逾期金额", "value": "12000.00"}])["processInstanceId"]
    current = start(client, "45000", business_id="SO-CURRENT", process_code="SALES_CREDIT",
                    form=[{"name": "逾期金额", "value": "0.00"}])["processInstanceId"]
    result = _tick(client)
    assert result["refused"] == [overdue] and result["agreed"] == [current]
    assert "逾期应收 12000.00" in _inst(client, overdue)["tasks"][0]["remark"]


def test_a_task_worked_in_another_system_waits_for_it(client):
    task_id = complaint(client, source_id="CMP-MES-1", handledIn="MES")["taskId"]
    for _ in range(4):
        assert task_id not in _tick(client)["tasksCompleted"]
    assert client.get(f"/api/tasks/{task_id}").json()["status"] == "RUNNING"
