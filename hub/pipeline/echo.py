"""Echo stage: does an event report back what the hub itself just wrote to its sender?

Many systems emit an event for every change, whoever made it: when the hub writes a customer
into ERP, ERP reports the customer it now holds. Routed like any other event, that echo goes
back to where the change came from; and when the origin changed the record again meanwhile (a
customer created and renamed at once), the old value and the new one chase each other between
the two systems for ever.

So an event from system X is an **echo** of a call the hub made to X when the record it reports
carries every field of that call's body with the same value: it tells the hub nothing about those
fields that the hub did not tell X. Its canonical message still goes to every other subscriber
(a customer written into ERP reaches WMS through ERP's own event), but not back to the connector
whose message the call carried (:class:`Echo`, :func:`reports`).

The record is looked for anywhere in the event (``data``, ``body``, …), as an object holding the
call's fields under the same names: systems whose events carry the record their API writes
(the usual REST shape) need no configuration. Values compare as JSON, except that a number and a
decimal string of the same amount are equal (``80000`` and ``"80000.00"``) and a field the call
sent as null matches a field the event leaves out. Pure: no database, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DEPTH = 6
"""How deep in an event the record is looked for."""


@dataclass(frozen=True)
class Echo:
    """The call an event reports back, and whose message that call carried."""

    delivery_id: str
    message_id: str
    origin: str
    """The connector whose message the call carried: the echo does not go back to it."""

    def as_json(self) -> dict[str, str]:
        return {"delivery_id": self.delivery_id, "message_id": self.message_id, "origin": self.origin}


def reports(event: Any, sent: Any) -> bool:
    """True when some object in ``event`` carries every field of the call body ``sent`` with its value.

    A body that is not an object with at least one non-null field reports nothing (an empty write
    matches every event)."""
    if not isinstance(sent, dict) or not any(v is not None for v in sent.values()):
        return False
    return any(_covers(node, sent) for node in _objects(event, MAX_DEPTH))


def _objects(value: Any, depth: int) -> list[dict[str, Any]]:
    """Every object in ``value``, outermost first, down to ``depth`` levels."""
    if depth < 0:
        return []
    if isinstance(value, dict):
        found = [value]
        for child in value.values():
            found += _objects(child, depth - 1)
        return found
    if isinstance(value, list):
        return [o for item in value for o in _objects(item, depth - 1)]
    return []


def _covers(have: dict[str, Any], sent: dict[str, Any]) -> bool:
    return all(have.get(key) is None if value is None else key in have and _same(have[key], value)
               for key, value in sent.items())


def _same(have: Any, sent: Any) -> bool:
    if isinstance(sent, dict):
        return isinstance(have, dict) and _covers(have, sent)
    if isinstance(sent, list):
        return isinstance(have, list) and len(have) == len(sent) and all(map(_same, have, sent))
    if isinstance(sent, bool) or isinstance(have, bool):
        return have is sent
    if have == sent:
        return True
    amounts = _amount(have), _amount(sent)
    return None not in amounts and amounts[0] == amounts[1]


def _amount(value: Any) -> Decimal | None:
    """A number, or a string that is one (a system's decimal field)."""
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    return None
