"""The two actors: ``translate(message_id)`` and ``deliver(delivery_id)``.

Messages carry ids only; the database holds the state. ``deliver`` asks
dramatiq for a delayed retry (``Retry(delay=…)``) when the policy reschedules;
the delivery's row says when it is due, so a lost broker message is recovered
by the sweeper and a duplicate one does nothing.

``translate`` claims the first delivery it made in the translation's own
transaction and makes its call right after the commit (no second trip through
the broker, no transaction of its own for the claim); the others go through the
broker to the other threads and processes. The claim still decides: a delivery
that must wait for an earlier one is left due and goes through the broker,
where it waits like any other.

Each translation's start is counted before it runs, so a message whose translation kills its worker
each time is parked after ``HUB_MAX_WORKER_DEATHS`` deaths, and work whose worker died before runs
alone in its process (:mod:`hub.workers.poison`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.errors import Retry

from hub.delivery.lease import LeaseKeeper
from hub.delivery.service import Claimed, Deliverer, Outcome
from hub.store.models import DeliveryStatus
from hub.translate import Translator
from hub.workers.broker import pipelined
from hub.workers.poison import Quarantine

log = logging.getLogger("hub.workers")

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


def batch_enqueuer(broker: dramatiq.Broker, actor_name: str, queue_name: str) -> Callable[[Sequence[str]], None]:
    """Like :func:`enqueuer` for many ids at once: on Redis in one round trip instead of one per id.

    A batch of webhooks is enqueued by one thread after its commit; one round trip per message there
    would have that thread wait for the GIL once per message while the event loop runs. Each message
    goes through the broker's own ``enqueue`` (its middleware, its ids), on one pipeline
    (:func:`hub.workers.broker.pipelined`).
    """
    one = enqueuer(broker, actor_name, queue_name)

    def send(item_ids: Sequence[str]) -> None:
        if len(item_ids) < 2 or not isinstance(broker, RedisBroker):
            for item_id in item_ids:
                one(item_id)
            return

        def fill(piped: RedisBroker) -> None:
            for item_id in item_ids:
                piped.enqueue(dramatiq.Message(queue_name=queue_name, actor_name=actor_name, args=(item_id,),
                                               kwargs={}, options={}))
        pipelined(broker, fill)
    return send


def later_enqueuer(broker: dramatiq.Broker, actor_name: str, queue_name: str) -> Callable[[str, float], None]:
    """Like :func:`enqueuer`, with a delay in seconds before the message is handed to a worker."""
    def send(item_id: str, delay_s: float) -> None:
        broker.enqueue(dramatiq.Message(queue_name=queue_name, actor_name=actor_name, args=(item_id,),
                                        kwargs={}, options={}), delay=int(delay_s * 1000))
    return send


def declare_actors(broker: dramatiq.Broker, translator: Translator, deliverer: Deliverer,
                   leases: LeaseKeeper | None = None, quarantine: Quarantine | None = None) -> Actors:
    def run(delivery_id: str) -> Outcome | None:
        with quarantine.delivery(delivery_id) if quarantine else nullcontext():  # alone, if its worker died before
            if leases is None:
                return deliverer.deliver(delivery_id)
            with leases.held(delivery_id):  # its lease is renewed while this worker runs it
                return deliverer.deliver(delivery_id)

    def send(delivery_id: str, delay_ms: int | None = None) -> None:
        broker.enqueue(dramatiq.Message(queue_name=DELIVER_QUEUE, actor_name=DELIVER_ACTOR, args=(delivery_id,),
                                        kwargs={}, options={}), delay=delay_ms)

    def run_claimed(claimed: Claimed) -> Outcome:
        if leases is None:
            return deliverer.deliver_claimed(claimed)
        with leases.held(claimed.delivery_id):
            return deliverer.deliver_claimed(claimed)

    def hand_over(delivery_ids: list[str], claimed: Claimed | None) -> None:
        first, *rest = delivery_ids
        for delivery_id in rest:
            _quietly(send, delivery_id)
        if claimed is None:  # it may not go yet (or another worker has it): the broker brings it
            _quietly(send, first)
            return
        try:
            outcome = run_claimed(claimed)
        except Exception:  # in flight under its lease: once the lease ends the sweeper gives it back
            log.exception("delivery %s failed in the translating worker", first)
            return
        delay = _retry_delay_ms(outcome)
        if delay is not None:
            _quietly(send, first, delay)

    def translate(message_id: str) -> None:
        if quarantine is None:
            translator.translate(message_id, hand_over=hand_over, claim=deliverer.claim_in)
            return
        with quarantine.translation(message_id) as go:  # counted first: it may kill this worker
            if go:
                translator.translate(message_id, hand_over=hand_over, claim=deliverer.claim_in)

    def deliver(delivery_id: str) -> None:
        delay = _retry_delay_ms(run(delivery_id))
        if delay is not None:
            raise Retry(f"delivery {delivery_id} rescheduled", delay=delay)

    return Actors(
        translate=dramatiq.actor(broker=broker, actor_name=TRANSLATE_ACTOR, queue_name=TRANSLATE_QUEUE,
                                 max_retries=TRANSLATE_MAX_RETRIES)(translate),
        deliver=dramatiq.actor(broker=broker, actor_name=DELIVER_ACTOR, queue_name=DELIVER_QUEUE,
                               max_retries=None)(deliver),
    )


def _retry_delay_ms(outcome: Outcome | None) -> int | None:
    """When a rescheduled delivery should come back through the broker (None: nothing to come back for)."""
    if outcome is not None and outcome.status == DeliveryStatus.RETRYING and outcome.retry_in_s is not None:
        return int(outcome.retry_in_s * 1000)
    return None


def _quietly(send: Callable[..., None], *args: object) -> None:
    try:
        send(*args)
    except Exception:  # committed as due: the sweeper enqueues it
        log.exception("enqueue of delivery %s failed; the sweeper will retry", args[0])
