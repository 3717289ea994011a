"""Operator actions with their permission check and their audit entry, in one place.

The dashboard and the operations API act only through :class:`Actions`, so no
replay, retry or pause can happen without the right role and without a line in
the audit log, and both faces name each action the same way.
"""

from __future__ import annotations

from datetime import datetime

from hub.auth.audit import AuditLog
from hub.auth.roles import ACT, MANAGE, Principal
from hub.errors import Forbidden
from hub.operations import CircuitReset, Operations
from hub.presence import Presence, ReloadResult
from hub.reconcile import Reconciler
from hub.registry import Registry
from hub.store.models import DeliveryStatus
from hub.views import ActionResult, BulkResult

BULK_LIMIT = 1000
"""How many deliveries one bulk retry touches by default; run it again for more."""
MAX_BULK = 10_000
"""The most one bulk retry may be asked to touch."""


def require(who: Principal, permission: str) -> None:
    if not who.can(permission):
        raise Forbidden(f"{who.actor} may not do this (needs the {permission!r} permission)")


class Actions:
    def __init__(self, *, ops: Operations, audit: AuditLog, registry: Registry, presence: Presence,
                 reconciler: Reconciler | None = None):
        self.reconciler = reconciler
        self.ops = ops
        self.audit = audit
        self.registry = registry
        self.presence = presence

    def replay(self, who: Principal, message_id: str, *, remap: bool = False, via: str) -> ActionResult:
        require(who, ACT)
        result = self.ops.replay_message(message_id, remap=remap)
        self.audit.record(who.actor, "replay.remap" if remap else "replay", message_id, via=via,
                          detail={"status": result.status, "deliveries": result.deliveries})
        return result

    def replay_record(self, who: Principal, message_id: str, index: int, *, via: str) -> ActionResult:
        """Replay one failed record of a split batch alone."""
        require(who, ACT)
        result = self.ops.replay_record(message_id, index)
        self.audit.record(who.actor, "replay.record", message_id, via=via,
                          detail={"index": index, "status": result.status, "deliveries": result.deliveries})
        return result

    def reconcile(self, who: Principal, *, only: list[str] | None = None, via: str) -> str:
        """Run the reconciliation checks now; returns the run's id."""
        require(who, ACT)
        assert self.reconciler is not None
        run_id = self.reconciler.run(trigger=f"{via}:{who.actor}", only=only)
        self.audit.record(who.actor, "reconcile", run_id, via=via, detail={"checks": only})
        return run_id

    def replay_mismatch(self, who: Principal, mismatch_id: str, *, via: str) -> ActionResult:
        """Repair a key missing on a check's receiving side: replay the message that carried it."""
        require(who, ACT)
        assert self.reconciler is not None
        mismatch, message_id = self.reconciler.replay_candidate(mismatch_id)
        result = self.ops.replay_message(message_id, to=self.reconciler.receiver(mismatch.check))
        self.reconciler.mark_replayed(mismatch_id, message_id, result.status)
        self.audit.record(who.actor, "replay", message_id, via=via,
                          detail={"status": result.status, "deliveries": result.deliveries,
                                  "reconcile": {"mismatch": mismatch_id, "check": mismatch.check,
                                                "key": mismatch.key}})
        return result

    def retry(self, who: Principal, delivery_id: str, *, via: str) -> ActionResult:
        require(who, ACT)
        result = self.ops.retry_delivery(delivery_id)
        self.audit.record(who.actor, "retry", delivery_id, via=via, detail={"status": result.status})
        return result

    def bulk_retry(self, who: Principal, *, status: str = DeliveryStatus.DEAD, connector: str | None = None,
                   error_contains: str | None = None, since: datetime | None = None,
                   until: datetime | None = None, limit: int = BULK_LIMIT, via: str) -> tuple[BulkResult, str | None]:
        """Retry deliveries matching the filter (default: dead ones); returns the result and its audit
        entry's id (the entry keeps the retried ids, so progress can be followed from any replica)."""
        require(who, ACT)
        result = self.ops.bulk_retry(status=status, connector=connector or None,
                                     error_contains=error_contains or None, since=since, until=until,
                                     limit=min(limit, MAX_BULK))
        entry = self.audit.record(who.actor, "bulk_retry", connector or "*", via=via, detail={
            "filter": {"status": status, "connector": connector, "error_contains": error_contains,
                       "since": since.isoformat() if since else None, "until": until.isoformat() if until else None},
            "matched": result.matched, "retried": result.retried, "ids": result.ids})
        return result, entry

    def set_paused(self, who: Principal, connector: str, paused: bool, *, via: str) -> int:
        require(who, ACT)
        released = self.ops.set_paused(connector, paused, by=who.actor)
        self.audit.record(who.actor, "pause" if paused else "resume", connector, via=via,
                          detail=None if paused else {"released": released})
        return released

    def reset_circuit(self, who: Principal, connector: str, *, via: str) -> CircuitReset:
        """Close a connector's circuit breaker and release the deliveries it parked."""
        require(who, ACT)
        result = self.ops.reset_circuit(connector)
        self.audit.record(who.actor, "circuit.reset", connector, via=via,
                          detail={"was": result.was, "released": result.released})
        return result

    def reload_mappings(self, who: Principal, *, via: str) -> ReloadResult:
        """Read mapping files and code tables from disk again in every API and worker process; the result
        says which processes applied it."""
        require(who, MANAGE)
        result = self.presence.reload_all()
        self.audit.record(who.actor, "mappings.reload", result.reload, via=via, detail={
            "mappings": result.mappings, "version": result.version, "reached": result.reached,
            "processes": len(result.processes)})
        return result
