"""Prometheus metrics, one registry per hub (so several hubs can live in one test process)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self, queue_depth: Callable[[], dict[tuple[str, str], int]], *,
                 circuits: Callable[[], dict[str, int]] | None = None):
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
