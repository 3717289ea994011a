"""The assembled hub: settings, database, registry, broker, services and workers.

``Hub.build(settings)`` wires the parts; the API (``hub serve``), the workers
(``hub worker``) and the embedded all-in-one (``hub up``) each start the parts
they need from it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import dramatiq
from dramatiq import Worker

from hub.adapters.runner import Pollers
from hub.adapters.state import PollerStore
from hub.aggregator import Aggregator
from hub.connectors.allow import check_registry
from hub.delivery.circuit import CircuitBreaker, CircuitStore
from hub.delivery.client import OutboundClient
from hub.delivery.lease import LeaseKeeper
from hub.delivery.ratelimit import Buckets, LocalBuckets, RateLimit, RedisBuckets
from hub.delivery.service import Deliverer
from hub.delivery.stages import default_stages
from hub.ingest import Ingestor
from hub.mapping import make_engine
from hub.masterdata.subscriber import MasterDataSubscriber, catalog_for
from hub.metrics import Metrics
from hub.operations import Operations
from hub.pause import PauseState
from hub.presence import Presence, make_presence
from hub.queries import Enricher, QueryService
from hub.reconcile import Reconciler, load_plan
from hub.registry import Registry, load_registry
from hub.retention import Retention
from hub.retention import load_plan as load_retention
from hub.settings import Settings, check_production
from hub.store import Database
from hub.store.migrate import upgrade
from hub.translate import Translator
from hub.workers.actors import (
    DELIVER_ACTOR,
    DELIVER_QUEUE,
    TRANSLATE_ACTOR,
    TRANSLATE_QUEUE,
    Actors,
    batch_enqueuer,
    declare_actors,
    enqueuer,
    later_enqueuer,
)
from hub.workers.broker import make_broker
from hub.workers.poison import Quarantine
from hub.workers.sweeper import Sweeper
from hub.xref import XrefStore

log = logging.getLogger("hub")

POOL_HEADROOM = 4
"""Pooled connections beyond one per worker thread (the sweeper, the API's own requests)."""
WORKER_TIMEOUT_MS = 100
"""How long an idle worker thread waits on the broker before checking for shutdown."""


@dataclass
class Hub:
    settings: Settings
    db: Database
    registry: Registry
    broker: dramatiq.Broker
    actors: Actors
    xrefs: XrefStore
    ingestor: Ingestor
    translator: Translator
    deliverer: Deliverer
    operations: Operations
    sweeper: Sweeper
    metrics: Metrics
    client: OutboundClient
    queries: QueryService
    circuits: CircuitStore
    buckets: Buckets
    presence: Presence
    pollers: Pollers
    leases: LeaseKeeper
    reconciler: Reconciler
    retention: Retention
    _worker: Worker | None = field(default=None, repr=False)

    @classmethod
    def build(cls, settings: Settings, *, migrate: bool = True) -> Hub:
        db = Database(settings.database_url, pool_size=settings.worker_threads + POOL_HEADROOM)
        if migrate:
            db.wait_until_up()  # a process may start before its database, or while it restarts
            upgrade(db)
        registry = load_registry(settings.config_dir, make_engine(settings.mapping_engine))
        check_production(settings, sorted(registry.connectors))
        check_registry(settings, registry.connectors)
        broker = make_broker(settings)
        xrefs = XrefStore(db)
        client = OutboundClient()
        enqueue_translate = enqueuer(broker, TRANSLATE_ACTOR, TRANSLATE_QUEUE)
        enqueue_delivery = enqueuer(broker, DELIVER_ACTOR, DELIVER_QUEUE)

        pauses = PauseState(db)
        aggregator = Aggregator(db=db, registry=registry)
        translator = Translator(db=db, registry=registry, xref=xrefs.resolve, enqueue_delivery=enqueue_delivery,
                                is_paused=pauses.is_paused, aggregator=aggregator, enqueue_translate=enqueue_translate,
                                on_canonical=[MasterDataSubscriber(catalog_for(settings.config_dir))])
        circuits = CircuitStore(db)
        operations = Operations(db=db, registry=registry, translator=translator, pauses=pauses,
                                enqueue_translate=enqueue_translate, enqueue_delivery=enqueue_delivery,
                                circuits=circuits)
        guarded = sorted(n for n, c in registry.connectors.items() if c.circuit_breaker is not None)
        poller_state = PollerStore(db, lease_s=settings.poller_lease_s)
        metrics = Metrics(operations.delivery_depth,
                          circuits=lambda: {n: v.gauge for n, v in circuits.views(guarded).items()},
                          pollers=poller_state.views)
        buckets: Buckets = (LocalBuckets() if settings.broker_url is None
                            else RedisBuckets(settings.broker_url, namespace=settings.redis_namespace))
        stages = [CircuitBreaker(circuits), RateLimit(buckets),
                  *default_stages(secret_of=settings.connector_secret, observers=[metrics.observe_delivery])]
        queries = QueryService(registry=registry, settings=settings, client=client, xref=xrefs.resolve)
        deliverer = Deliverer(db=db, registry=registry, settings=settings, client=client, xref=xrefs.resolve,
                              enricher=Enricher(queries),
                              is_paused=pauses.is_paused, stages=stages, enqueue=enqueue_delivery)
        leases = LeaseKeeper(db, lease_s=settings.lease_s, budget_of=registry_budget(registry))
        actors = declare_actors(broker, translator, deliverer, leases,
                                Quarantine(db, max_deaths=settings.max_worker_deaths))
        ingestor = Ingestor(db=db, registry=registry, settings=settings, enqueue_translate=enqueue_translate,
                            enqueue_translations=batch_enqueuer(broker, TRANSLATE_ACTOR, TRANSLATE_QUEUE))
        retention = Retention(db=db, registry=registry, plan=load_retention(settings.config_dir, registry))
        reconciler = Reconciler(db=db, registry=registry, settings=settings, client=client,
                                plan=load_plan(settings.config_dir, registry, make_engine(settings.mapping_engine)))
        sweeper = Sweeper(db=db, grace_s=settings.sweep_grace_s, interval_s=settings.sweep_interval_s,
                          enqueue_translate=enqueue_translate, enqueue_delivery=enqueue_delivery,
                          max_worker_deaths=settings.max_worker_deaths, expire_aggregates=aggregator.expire,
                          jobs=[("reconcile", reconciler.sweep),
                                ("retention", retention.run_scheduled)],
                          enqueue_delivery_later=later_enqueuer(broker, DELIVER_ACTOR, DELIVER_QUEUE))
        pollers = Pollers(registry=registry, settings=settings, ingestor=ingestor, state=poller_state)
        seeded = xrefs.load_seed(settings.config_dir / "mappings" / "xref")
        if seeded:
            log.info("cross-reference: %d seed record(s) loaded", seeded)
        return cls(settings=settings, db=db, registry=registry, broker=broker, actors=actors,
                   xrefs=xrefs, ingestor=ingestor, translator=translator, deliverer=deliverer,
                   operations=operations, sweeper=sweeper, metrics=metrics, client=client, queries=queries,
                   circuits=circuits, buckets=buckets, presence=make_presence(settings, registry.mappings),
                   pollers=pollers, leases=leases, reconciler=reconciler, retention=retention)

    def start_workers(self, *, sweeper: bool = True) -> None:
        """Consume translate and deliver messages in worker threads of this process."""
        self._worker = Worker(self.broker, worker_threads=self.settings.worker_threads,
                              worker_timeout=WORKER_TIMEOUT_MS)
        self._worker.start()
        self.presence.join("worker")
        self.leases.start()
        if sweeper:
            self.sweeper.start()
        self.pollers.start()
        log.info("workers started: %d threads on %s", self.settings.worker_threads,
                 "the embedded broker" if self.settings.embedded else "Redis")

    def stop(self) -> None:
        self.pollers.stop()
        self.presence.stop()
        self.sweeper.stop()
        self.leases.stop()
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        self.broker.close()
        self.client.close()
        self.deliverer.writer.close()
        if isinstance(self.buckets, RedisBuckets):
            self.buckets.close()
        self.db.dispose()


def freeze_startup_heap() -> None:
    """Leave the objects built at start-up (settings, registry, mappings, SQLAlchemy's metadata, the
    app) out of every garbage collection from now on: they live as long as the process, and scanning
    them in each full collection cost the API about a tenth of its time under a flood of webhooks.
    For a process's entry point only, once it is built (frozen cyclic garbage is never collected)."""
    gc.freeze()


def registry_budget(registry: Registry) -> Callable[[str], float]:
    """A connector's time budget for one round: every in-place call timing out, and the waits between."""
    def budget(name: str) -> float:
        connector = registry.connector(name)
        if connector is None:
            return 0.0
        return connector.timeout * connector.retry.in_place_attempts + connector.retry.in_place_max
    return budget
