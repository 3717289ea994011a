"""Make the dramatiq broker the settings ask for."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from hub.settings import Settings


def make_broker(settings: Settings) -> dramatiq.Broker:
    if settings.broker_url is None:
        broker: dramatiq.Broker = StubBroker()
        broker.emit_after("process_boot")
        return broker
    return RedisBroker(url=settings.broker_url, namespace=settings.redis_namespace)  # type: ignore[no-untyped-call]
