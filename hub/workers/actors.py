"""The two actors: ``translate(message_id)`` and ``deliver(delivery_id)``.

Messages carry ids only; the database holds the state. ``deliver`` asks
dramatiq for a delayed retry (``Retry(delay=…)``) when the policy reschedules;
the delivery's row says when it is due, so a lost broker message is recovered
by the sweeper and a duplicate one does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
from dramatiq.errors import Retry

from hub.delivery.lease import LeaseKeeper
from hub.delivery.service import Deliverer
from hub.store.models import DeliveryStatus
from hub.translate import Translator

TRANSLATE_QUEUE = "translate"
DELIVER_QUEUE = "deliver"
TRANSLATE_ACTOR = "hub.translate"
DELIVER_ACTOR = "hub.deliver"
TRANSLATE_MAX_RETRIES = 10
"""Only for unexpected faults (database down); mapping errors are recorded, not retried."""


@dataclass
class Actors:
    translate: dramatiq.Actor[[str], None]
    deliver: dramatiq.Actor[[str], None]


def enqueuer(broker: dramatiq.Broker, actor_name: str, queue_name: str) -> Callable[[str], None]:
    """Send ``actor_name(id)`` through ``broker`` — usable before the actor itself is declared, so the
    services that enqueue work and the actors that run them need not know each other."""
    def send(item_id: str) -> None:
        broker.enqueue(dramatiq.Message(queue_name=queue_name, actor_name=actor_name, args=(item_id,),
                                        kwargs={}, options={}))
    return send


def declare_actors(broker: dramatiq.Broker, translator: Translator, deliverer: Deliverer,
                   leases: LeaseKeeper | None = None) -> Actors:
    def translate(message_id: str) -> None:
        translator.translate(message_id)

    def deliver(delivery_id: str) -> None:
        if leases is None:
            outcome = deliverer.deliver(delivery_id)
        else:
            with leases.held(delivery_id):  # its lease is renewed while this worker runs it
                outcome = deliverer.deliver(delivery_id)
        if outcome is not None and outcome.status == DeliveryStatus.RETRYING and outcome.retry_in_s is not None:
            raise Retry(f"delivery {delivery_id} rescheduled", delay=int(outcome.retry_in_s * 1000))

    return Actors(
        translate=dramatiq.actor(broker=broker, actor_name=TRANSLATE_ACTOR, queue_name=TRANSLATE_QUEUE,
                                 max_retries=TRANSLATE_MAX_RETRIES)(translate),
        deliver=dramatiq.actor(broker=broker, actor_name=DELIVER_ACTOR, queue_name=DELIVER_QUEUE,
                               max_retries=None)(deliver),
    )
