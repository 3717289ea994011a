"""HTTP polling: ``GET base_url + path`` with the watermark in the query, page by page.

The read ends at the last page: no next cursor or link, or a page shorter than the declared ``size``
(so a short last page is not followed by a request for an empty one). Each page's records are
stored as they come (deduplicated by key); the watermark — the highest the records carry — is
stored once the last page is, so a run that dies half-way is read again from the old watermark and
its already-stored records are recognised as duplicates.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx

from hub.adapters import records as recs
from hub.adapters.runner import Context
from hub.connectors.sources import HttpSource, expand
from hub.errors import MappingError


class HttpPoller:
    def run(self, ctx: Context) -> int:
        source = ctx.source.declared
        assert isinstance(source, HttpSource) and ctx.source.records is not None
        environ = dict(ctx.environ)
        headers = {k: expand(v, environ) for k, v in source.headers.items()}
        url: str | None = ctx.base_url.rstrip("/") + source.path
        pages = source.paginate
        page, cursor = (pages.start if pages else 1), None
        mark = ctx.watermark
        since = ctx.since
        stored = 0
        with httpx.Client(timeout=source.timeout, headers=headers, follow_redirects=True) as client:
            for _ in range(pages.max_pages if pages else 1):
                assert url is not None
                params = {k: t.text({"watermark": since, "page": page, "cursor": cursor,
                                     "size": pages.size if pages else None})
                          for k, t in ctx.source.query.items()}
                if pages is not None and pages.style == "page":
                    params.setdefault(pages.param, str(page))
                elif pages is not None and pages.style == "cursor" and cursor is not None:
                    params[pages.param] = str(cursor)
                response = client.get(url, params=params if not _has_query(url) else None)
                response.raise_for_status()
                body = response.json()
                items = _items(ctx.source.records.evaluate(body))
                records = [recs.to_record(ctx.source, "http", item, n) for n, item in enumerate(items, start=1)]
                stored += len(ctx.store(records, None).ids)
                mark = recs.advance(ctx.source, mark, items)
                ctx.heartbeat()
                if pages is None or not items or (pages.size is not None and len(items) < pages.size):
                    break
                if pages.style == "page":
                    page += 1
                elif pages.style == "cursor":
                    assert ctx.source.next is not None
                    cursor = ctx.source.next.evaluate(body)
                    if cursor is None or cursor == "":
                        break
                else:
                    link = response.links.get("next", {}).get("url")
                    if not link:
                        break
                    url = urllib.parse.urljoin(str(response.url), link)
        if mark != ctx.watermark:
            ctx.store([], mark)
        return stored


def _has_query(url: str) -> bool:
    """A Link header's next URL carries its own query; the first request's parameters are not re-sent."""
    return bool(urllib.parse.urlsplit(url).query)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise MappingError(f"poll.records must give an array of records, not {type(value).__name__}")
    return value
