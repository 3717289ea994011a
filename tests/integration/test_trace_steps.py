"""A trace shows each canonical message with its own state: a CRM customer's golden-record change
(masterdata.changed, which nobody subscribes to) is "no route" beside its reason, while the customer
message itself is on its way to ERP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.masterdata.subscriber import CHANGED_TYPE
from hub.runtime import Hub
from hub.settings import REPO_ROOT
from hub.store.models import MessageStatus
from tests.integration.test_masterdata_wiring import crm_customer, ingest


@pytest.fixture
def hub(make_settings) -> Iterator[Hub]:
    """The repository's own connectors and entities; translation is driven by the test (no workers)."""
    h = Hub.build(make_settings(config_dir=REPO_ROOT))
    yield h
    h.stop()


def test_a_golden_record_change_nobody_receives_is_no_route_in_the_trace_beside_its_reason(hub):
    message_id = ingest(hub, "crm", crm_customer())
    hub.translator.translate(message_id)
    detail = hub.operations.get_message(message_id)
    steps = {m.type: m for m in hub.operations.trace(detail.correlation_id)}

    changed, customer = steps[CHANGED_TYPE], steps["party.customer.upserted"]
    assert changed.no_route and changed.status == MessageStatus.NO_ROUTE
    assert customer.status == MessageStatus.DELIVERING and not customer.no_route  # to ERP, not yet sent
    assert detail.status == MessageStatus.DELIVERING  # the message as a whole is still on its way
