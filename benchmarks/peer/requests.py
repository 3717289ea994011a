"""Pre-signed Standard Webhooks requests for wrk (``signed.lua`` reads them).

The body is the peer's order (``order.json``, byte for byte) with only the ``OrderID`` value
changed, so that every request carries its own order number and the sink can tell them apart.
A folder holds three files:

- ``body.prefix`` / ``body.suffix``: the order's bytes before and after the ``OrderID`` value;
- ``requests.tsv``: one line per request, ``order id<TAB>webhook-id<TAB>webhook-timestamp<TAB>signature``,
  the signature computed over ``prefix + order id + suffix`` with the connector's secret.

Signatures are minutes-valid (the receiver allows a few minutes of clock skew), so a folder is
written right before the run that uses it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

ORDER_ID_KEY = '"OrderID": "'


def split_order(order: bytes) -> tuple[bytes, bytes, str]:
    """(prefix, suffix, original id): the order's bytes around the ``OrderID`` value."""
    text = order.decode("utf-8")
    start = text.index(ORDER_ID_KEY) + len(ORDER_ID_KEY)
    end = text.index('"', start)
    return text[:start].encode(), text[end:].encode(), text[start:end]


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value (``v1,<base64 HMAC-SHA256>``) per Standard Webhooks."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def order_id(tag: str, seq: int) -> str:
    return f"SO-{tag}-{seq:07d}"


def write(folder: Path, order: bytes, secret: str, count: int, tag: str) -> Path:
    """Write ``count`` signed requests into ``folder`` (created); order ids are ``SO-<tag>-<seq>``."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix, suffix, _ = split_order(order)
    (folder / "body.prefix").write_bytes(prefix)
    (folder / "body.suffix").write_bytes(suffix)
    now = int(time.time())
    lines = []
    for seq in range(count):
        oid = order_id(tag, seq)
        msg_id = f"msg_{tag}_{seq:07d}"
        lines.append(f"{oid}\t{msg_id}\t{now}\t{sign(secret, msg_id, now, prefix + oid.encode() + suffix)}")
    (folder / "requests.tsv").write_text("\n".join(lines) + "\n", encoding="ascii")
    return folder


def read(folder: Path) -> list[tuple[bytes, dict[str, str]]]:
    """The requests of ``folder`` as (body, headers): what wrk sends, for checks and tests."""
    prefix = (folder / "body.prefix").read_bytes()
    suffix = (folder / "body.suffix").read_bytes()
    out = []
    for line in (folder / "requests.tsv").read_text(encoding="ascii").splitlines():
        oid, msg_id, stamp, sig = line.split("\t")
        out.append((prefix + oid.encode() + suffix,
                    {"content-type": "application/json", "webhook-id": msg_id,
                     "webhook-timestamp": stamp, "webhook-signature": sig}))
    return out


def is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True
