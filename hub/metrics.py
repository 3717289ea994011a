"""Prometheus metrics, one registry per hub (so several hubs can live in one test process)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self, queue_depth: Callable[[], dict[tuple[str, str], int]], *,
                 circuits: Callable[[], dict[str, int]] | None = None,
                 pollers: Callable[[], Mapping[str, Any]] | None = None):
        self.registry = CollectorRegistry()
        self.received = Counter("hub_messages_received_total", "Webhooks accepted, by connector",
                                ["connector", "duplicate"], registry=self.registry)
        self.refused = Counter("hub_messages_refused_total", "Webhooks refused, by connector and reason",
                               ["connector", "reason"], registry=self.registry)
        self.attempts = Counter("hub_delivery_attempts_total", "Outbound calls, by connector and outcome",
                                ["connector", "outcome"], registry=self.registry)
        self.latency = Histogram("hub_delivery_latency_seconds", "Outbound call latency, by connector",
                                 ["connector"], buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.registry.register(_DepthCollector(queue_depth))
        if circuits is not None:
            self.registry.register(_CircuitCollector(circuits))
        if pollers is not None:
            self.registry.register(_PollerCollector(pollers))

    def observe_delivery(self, connector: str, outcome: str, duration_ms: float | None) -> None:
        self.attempts.labels(connector, outcome).inc()
        if duration_ms is not None:
            self.latency.labels(connector).observe(duration_ms / 1000)


class _DepthCollector(Collector):
    """Deliveries by connector and state, read from the database at scrape time."""

    def __init__(self, depth: Callable[[], dict[tuple[str, str], int]]):
        self.depth = depth

    def collect(self) -> Iterator[GaugeMetricFamily]:
        g = GaugeMetricFamily("hub_deliveries", "Deliveries by connector and status", labels=["connector", "status"])
        for (connector, status), n in self.depth().items():
            g.add_metric([connector, status], n)
        yield g


class _CircuitCollector(Collector):
    """``hub_circuit_state``: each circuit breaker, read from the database at scrape time."""

    def __init__(self, circuits: Callable[[], dict[str, int]]):
        self.circuits = circuits

    def collect(self) -> Iterator[GaugeMetricFamily]:
        g = GaugeMetricFamily("hub_circuit_state", "Circuit breaker per connector: 0 closed, 1 half-open, 2 open",
                              labels=["connector"])
        for connector, value in sorted(self.circuits().items()):
            g.add_metric([connector], value)
        yield g


class _PollerCollector(Collector):
    """``hub_poller_*``: each polled source's state, failures and records, read from the database at scrape time."""

    STATES = {"idle": 0, "polling": 1, "failing": 2}

    def __init__(self, pollers: Callable[[], Mapping[str, Any]]):
        self.pollers = pollers

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = GaugeMetricFamily("hub_poller_state", "Polled source per connector: 0 idle, 1 polling, 2 failing",
                                  labels=["connector", "kind"])
        failures = GaugeMetricFamily("hub_poller_failures", "Consecutive failed runs of a polled source",
                                     labels=["connector"])
        records = GaugeMetricFamily("hub_poller_records", "Records stored from a polled source (no duplicates)",
                                    labels=["connector"])
        last_ok = GaugeMetricFamily("hub_poller_last_success_timestamp_seconds",
                                    "When a polled source was last read without error", labels=["connector"])
        for name, view in sorted(self.pollers().items()):
            state.add_metric([name, view.kind], self.STATES.get(view.state, 2))
            failures.add_metric([name], view.failures)
            records.add_metric([name], view.records)
            if view.last_ok_at is not None:
                last_ok.add_metric([name], view.last_ok_at.timestamp())
        yield from (state, failures, records, last_ok)
