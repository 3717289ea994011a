"""What the operations service returns: typed views of messages and deliveries.

The API serialises these as they are (they are its OpenAPI schemas) and the
dashboard renders them; neither touches the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, computed_field


class NoRouteReason(BaseModel):
    code: str = Field(description="no_subscription | sender_only | echo | filter_false | no_recipients | "
                                  "wire_tap_only | no_elements", examples=["filter_false"])
    connector: str | None = Field(None, description="the subscriber concerned", examples=["erp"])
    expression: str | None = Field(None, description="its filter, recipient list or each",
                                   examples=['data.result = "approved"'])
    text: str = Field(examples=['erp\'s filter is false: data.result = "approved"'])


class MessageSummary(BaseModel):
    id: str = Field(examples=["019a8f2e-7c1d-7b3a-9e4f-0a1b2c3d4e5f"])
    connector: str = Field(examples=["crm"])
    native_type: str | None = Field(None, examples=["salesOrder.submitted"])
    type: str | None = Field(None, description="canonical type", examples=["sales_order.placed"])
    subject: str | None = Field(None, description="business key", examples=["SO-20261122-0001"])
    correlation_id: str | None = None
    canonical_id: str | None = Field(None, description="the canonical message this line describes")
    seq: int | None = Field(None, description="its place among the message's canonical messages (0, 1, …)")
    canonical_count: int = Field(0, description="how many canonical messages the inbound message gave "
                                               "(several when its event is split)")
    status: str = Field(examples=["delivered"])
    error: str | None = None
    no_route: list[NoRouteReason] | None = Field(None, description="why the canonical message this line "
                                                                   "describes went to nobody (no_route)")
    received_at: datetime
    updated_at: datetime


class AttemptView(BaseModel):
    number: int
    started_at: datetime
    duration_ms: float
    url: str | None
    status_code: int | None
    outcome: str = Field(description="in_flight (stored before the call; still open if its worker died) | "
                                     "success | transient | rejected | waiting | mapping_error")
    error: str | None
    response_excerpt: str | None


ATTEMPTS_URL = "the message detail that holds this delivery with every attempt (`deliveries[].attempt_log`)"


class DeliverySummary(BaseModel):
    """A delivery as lists show it: its state and counters, without the attempts (see ``attempts_url``)."""

    id: str
    message_id: str
    canonical_id: str
    connector: str
    operation: str
    element: int | None = Field(None, description="for an operation with `each`: the element this call carries")
    tap: bool = Field(False, description="a wire tap's copy (`wire_tap: true`): in no order, and left out of the "
                                         "message's status")
    status: str = Field(examples=["dead"])
    attempts: int = Field(description="calls made so far; each is in the attempt log at `attempts_url`")
    rounds: int = Field(description="rounds of the retry schedule used so far (each round is one call plus "
                                    "its quick in-place retries)")
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    request: dict[str, Any] | None = Field(None, description="the mapped call: method, url, body")
    created_at: datetime
    delivered_at: datetime | None

    @computed_field(description=ATTEMPTS_URL)  # type: ignore[prop-decorator]
    @property
    def attempts_url(self) -> str:
        return f"/api/messages/{self.message_id}"


class DeliveryView(DeliverySummary):
    """A delivery in a message's detail: the summary and every attempt, oldest first."""

    attempt_log: list[AttemptView] = []


class EchoView(BaseModel):
    """The call an event reported back: it went to every subscriber but the origin of that call's message."""

    connector: str = Field(description="the system the hub called, which sent this event", examples=["erp"])
    delivery_id: str = Field(description="the hub's call it reports back")
    message_id: str = Field(description="the message that call carried")
    origin: str = Field(description="that message's sender: the event does not go back to it", examples=["crm"])


class CanonicalView(BaseModel):
    id: str
    seq: int = Field(0, description="its place among the canonical messages of one translation")
    current: bool = Field(description="false once a later translation (a replay with the current mapping) "
                                      "replaced it")
    status: str | None = Field(None, description="the roll-up of its own deliveries")
    no_route: list[NoRouteReason] | None = Field(None, description="why it went to nobody, when it did")
    echo_of: EchoView | None = Field(None, description="when its event reports back a call the hub made to its "
                                                      "sender: that call, and whose message it carried")
    mapping: str | None
    envelope: dict[str, Any]


REPLAY_RECORD_URL = ("POST here to map this record again with the current mapping; the records already delivered "
                     "are not sent again")


class FailedRecordView(BaseModel):
    """A record of a split batch that failed alone: why, and what it was; the others went on."""

    message_id: str
    index: int = Field(description="its place among the batch's canonical messages (`seq`: 0, 1, …; a record "
                                   "whose mapping gives nothing takes none); replay it alone at `replay_url`")
    canonical_id: str = Field(description="the row that keeps it until a replay maps it")
    error: str = Field(examples=["mrp/in_production_order.rescheduled.jsonata at position 12: …"])
    error_detail: dict[str, Any] | None = Field(None, description="kind (mapping | schema), where, message")
    record: Any = Field(description="the record the mapping was given (or, for a split without `records`, the "
                                    "payload the schema refused)")
    mapping: str | None

    @computed_field(description=REPLAY_RECORD_URL)  # type: ignore[prop-decorator]
    @property
    def replay_url(self) -> str:
        return f"/api/messages/{self.message_id}/records/{self.index}/replay"


class MessageDetail(MessageSummary):
    mode: str
    sender_id: str
    headers: dict[str, Any]
    body: Any
    error_detail: dict[str, Any] | None
    purged_at: datetime | None = Field(None, description="when retention removed its payloads (body, canonical "
                                                         "data, requests); the rest is kept")
    canonical: list[CanonicalView]
    failed_records: list[FailedRecordView] = Field(
        [], description="records of a split batch that failed alone (their message is `failed` once the "
                        "others are done), each with its reason")
    deliveries: list[DeliveryView]


class Page(BaseModel):
    items: list[Any]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page")


class MessagePage(Page):
    items: list[MessageSummary]


class DeliveryPage(Page):
    items: list[DeliverySummary]


class ActionResult(BaseModel):
    id: str
    status: str
    detail: str | None = None
    deliveries: list[str] = []


class BulkResult(BaseModel):
    matched: int
    retried: int
    ids: list[str]
