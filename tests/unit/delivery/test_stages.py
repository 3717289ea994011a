"""The stages around each outbound call: headers, signing, cross-reference capture, metrics."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook

from hub.connectors.models import Connector
from hub.delivery.client import Response, encode_body
from hub.delivery.stages import CallContext, CorrelationHeaders, Observe, Signing, XrefCapture
from hub.pipeline.outbound import Verdict
from hub.settings import dev_secret


def context(registry, *, body=None) -> CallContext:
    body = body if body is not None else {"名称": "桌"}
    return CallContext(delivery_id="d-1", message_id="m-1", canonical_id="c-1", correlation_id="corr-1",
                       traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                       connector=Connector(name="ledger", title="Ledger", base_url="http://t"),
                       operation=registry.operation("ledger", "book"), data={"doc_no": "D-1"}, source="shop",
                       method="POST", url="http://t/docs/D-1", body=body, content=encode_body(body))


def test_a_call_carries_its_idempotency_key_ids_and_a_child_traceparent(registry):
    ctx = context(registry)
    CorrelationHeaders().before_call(ctx)
    assert ctx.headers["idempotency-key"] == "d-1" and ctx.headers["x-correlation-id"] == "corr-1"
    trace = ctx.headers["traceparent"].split("-")
    assert trace[1] == "0af7651916cd43dd8448eb211c80319c" and trace[2] != "b7ad6b7169203331"


def test_a_call_is_signed_per_standard_webhooks_over_the_exact_bytes_sent(registry):
    ctx = context(registry)
    Signing(lambda name: dev_secret(name)).before_call(ctx)
    assert ctx.headers["webhook-id"] == "d-1"
    assert Webhook(dev_secret("ledger")).verify(ctx.content, ctx.headers) == {"名称": "桌"}


def test_without_a_secret_nothing_is_signed(registry):
    ctx = context(registry)
    Signing(lambda name: None).before_call(ctx)
    assert "webhook-signature" not in ctx.headers


def test_the_ids_an_answer_reveals_are_kept_only_after_a_success(tmp_path):
    from hub.mapping import make_engine
    from hub.registry import Registry
    from tests.support.pipeline_config import write_config

    config = write_config(tmp_path / "config")
    ledger = config / "connectors" / "ledger.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(
        "    path: /docs/{data.doc_no}\n",
        "    path: /docs/{data.doc_no}\n"
        "    response_xref: '{\"entity\": \"doc\", \"ids\": {\"shop\": data.doc_no, \"ledger\": response.id}}'\n"),
        encoding="utf-8")
    registry = Registry(config, make_engine("jlens"))
    ok, refused = context(registry), context(registry)
    answer = Response(201, "", 3.0, {"id": "L-9"})
    XrefCapture().after_call(ok, answer, Verdict("success"))
    XrefCapture().after_call(refused, answer, Verdict("rejected"))
    assert ok.links == [{"entity": "doc", "ids": {"shop": "D-1", "ledger": "L-9"}}] and refused.links == []


def test_metrics_hear_each_outcome_with_its_duration(registry):
    heard = []
    stage = Observe([lambda *event: heard.append(event)])
    stage.after_call(context(registry), Response(503, "", 12.5), Verdict("retry"))
    stage.after_outcome("ledger", "dead", None)
    assert heard == [("ledger", "transient", 12.5), ("ledger", "dead", None)]
