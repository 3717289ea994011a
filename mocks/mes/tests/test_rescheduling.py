"""Rescheduling by hand and when a component is late."""

from __future__ import annotations

from mocks.mes.tests.conftest import create_order, error, events


def test_a_reschedule_moves_the_planned_end_and_emits_old_and_new_end(client):
    no = create_order(client)["WorkOrderNo"]
    r = client.post(f"/api/WorkOrders/{no}/Reschedule",
                    json={"NewPlannedEnd": "2026-03-12 17:00:00", "Reason": "customer moved the date"})
    assert r.status_code == 200 and r.json()["PlannedEnd"] == "2026-03-12 17:00:00"
    [event] = events(client, "WorkOrderRescheduled")
    assert (event["WorkOrderNo"], event["OldPlannedEnd"], event["NewPlannedEnd"], event["Reason"]) == (
        no, "2026-03-09 17:00:00", "2026-03-12 17:00:00", "customer moved the date")
    assert r.json()["Reschedules"][0]["OldPlannedEnd"] == "2026-03-09 17:00:00"


def test_the_same_reschedule_again_changes_nothing(client):
    no = create_order(client)["WorkOrderNo"]
    body = {"NewPlannedEnd": "2026-03-12 17:00:00", "Reason": "x"}
    client.post(f"/api/WorkOrders/{no}/Reschedule", json=body)
    client.post(f"/api/WorkOrders/{no}/Reschedule", json=body)
    assert len(events(client, "WorkOrderRescheduled")) == 1


def test_a_completed_order_cannot_be_rescheduled(client):
    no = create_order(client)["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{no}/Start")
    client.post(f"/api/WorkOrders/{no}/Complete", json={"GoodQty": 30})
    r = client.post(f"/api/WorkOrders/{no}/Reschedule", json={"NewPlannedEnd": "2026-03-12 17:00:00"})
    assert r.status_code == 409 and "is Completed" in error(r)["message"]


def test_a_new_end_before_the_start_is_refused_naming_new_planned_end(client):
    no = create_order(client)["WorkOrderNo"]
    r = client.post(f"/api/WorkOrders/{no}/Reschedule", json={"NewPlannedEnd": "2026-03-01 08:00:00"})
    assert r.status_code == 422 and error(r)["field"] == "NewPlannedEnd"


def test_a_late_component_pushes_every_open_order_that_uses_it_and_starts_too_early(client):
    early = create_order(client, ExternalOrderNo="MO-1")["WorkOrderNo"]                      # desk, uses legs
    late = create_order(client, ExternalOrderNo="MO-2", PlannedStart="2026-03-20 08:00:00",
                        PlannedEnd="2026-03-27 17:00:00")["WorkOrderNo"]                     # starts after
    top = create_order(client, ExternalOrderNo="MO-3", PartNo="P-TP1200")["WorkOrderNo"]    # no legs in its BOM
    done = create_order(client, ExternalOrderNo="MO-4")["WorkOrderNo"]
    client.post(f"/api/WorkOrders/{done}/Start")
    client.post(f"/api/WorkOrders/{done}/Complete", json={"GoodQty": 30})                    # already completed

    r = client.post("/api/MaterialDelays", json={"PartNo": "P-LEG-STL", "NewAvailableDate": "2026-03-05 08:00:00",
                                                 "Reason": "supplier delay", "Ref": "PO-2026-0001/1"})
    assert r.status_code == 201
    assert [a["WorkOrderNo"] for a in r.json()["AffectedWorkOrders"]] == [early]
    moved = client.get(f"/api/WorkOrders/{early}").json()
    assert (moved["PlannedStart"], moved["PlannedEnd"]) == ("2026-03-05 08:00:00", "2026-03-12 17:00:00")
    for untouched in (late, top, done):
        assert client.get(f"/api/WorkOrders/{untouched}").json()["Reschedules"] == []
    [event] = events(client, "WorkOrderRescheduled")
    assert (event["WorkOrderNo"], event["OldPlannedEnd"], event["NewPlannedEnd"]) == (
        early, "2026-03-09 17:00:00", "2026-03-12 17:00:00")
    assert event["Reason"] == "supplier delay" and event["Ref"] == "PO-2026-0001/1"


def test_a_late_component_pushes_one_event_per_affected_order(client):
    for i in (1, 2, 3):
        create_order(client, ExternalOrderNo=f"MO-{i}", PartNo="P-TP1200")
    r = client.post("/api/MaterialDelays", json={"PartNo": "P-BOARD-E1", "NewAvailableDate": "2026-03-04"})
    assert len(r.json()["AffectedWorkOrders"]) == 3
    assert len(events(client, "WorkOrderRescheduled")) == 3


def test_a_repeated_material_delay_moves_nothing_twice(client):
    create_order(client)
    body = {"PartNo": "P-BOLT-M8", "NewAvailableDate": "2026-03-06 08:00:00", "Ref": "PO-9/2"}
    first = client.post("/api/MaterialDelays", json=body)
    again = client.post("/api/MaterialDelays", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["DelayNo"] == first.json()["DelayNo"]
    assert len(events(client, "WorkOrderRescheduled")) == 1
    assert len(client.get("/api/MaterialDelays").json()) == 1


def test_a_delay_of_an_unknown_part_is_refused_naming_part_no(client):
    r = client.post("/api/MaterialDelays", json={"PartNo": "P-NOPE", "NewAvailableDate": "2026-03-06"})
    assert r.status_code == 422 and error(r)["field"] == "PartNo"
