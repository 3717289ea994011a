"""Dashboard pages over HTTP (no browser): login, sessions, CSRF, search, playground, secrets hidden."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app, security
from hub.dashboard.pages.auth import safe_next
from hub.operations import MessageFilter
from hub.runtime import Hub
from tests.support.signing import order_created, signed
from tests.support.waiting import eventually


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(c: TestClient, username: str = "admin", password: str = "admin") -> None:
    r = c.post("/ui/login", data={"username": username, "password": password,
                                  "csrf_token": csrf_of(c.get("/ui/login").text)}, follow_redirects=False)
    assert r.status_code == 303, r.text


def send(c: TestClient, body: dict) -> str:
    content, headers = signed(body)
    return c.post("/webhooks/webshop", content=content, headers=headers).json()["id"]


@pytest.fixture
def app(hub):
    return create_app(hub)


@pytest.fixture
def client(app):
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_a_page_without_a_login_leads_to_the_login_page_and_back(client):
    r = client.get("/ui/dead-letters?connector=ledger")
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=%2Fui%2Fdead-letters%3Fconnector%3Dledger"
    assert client.get("/ui/messages", headers={"HX-Request": "true"}).headers["hx-redirect"].startswith("/ui/login")
    r = client.post("/ui/login", data={"username": "admin", "password": "admin", "next": "/ui/dead-letters",
                                       "csrf_token": csrf_of(client.get("/ui/login").text)})
    assert r.headers["location"] == "/ui/dead-letters"


def test_a_wrong_password_is_refused_and_recorded(client, app):
    r = client.post("/ui/login", data={"username": "admin", "password": "guess",
                                       "csrf_token": csrf_of(client.get("/ui/login").text)})
    assert r.status_code == 401 and "Wrong username or password" in r.text
    assert [e.action for e in app.state.admin.audit.list(actor="admin").items] == ["login.failed"]


def test_every_form_needs_its_csrf_token(client):
    assert client.post("/ui/login", data={"username": "admin", "password": "admin"}).status_code == 403
    log_in(client)
    assert client.post("/ui/connectors/ledger/pause").status_code == 403
    assert client.post("/ui/logout").status_code == 403


def test_logging_out_ends_the_session(client):
    log_in(client)
    client.post("/ui/logout", data={"csrf_token": csrf_of(client.get("/ui/messages").text)})
    assert client.get("/ui/messages").status_code == 303


def test_a_session_ends_after_being_idle_for_longer_than_allowed(make_settings, fast_config, monkeypatch):
    clock = SimpleNamespace(now=1_800_000_000.0)  # the sessions' clock, moved by the test: no waiting
    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: clock.now))
    hub = Hub.build(make_settings(config_dir=fast_config, session_idle_s=60))
    try:
        with TestClient(create_app(hub), follow_redirects=False) as c:
            log_in(c)
            for _ in range(3):  # each request within the idle time keeps it going
                clock.now += 59
                assert c.get("/ui/messages").status_code == 200
            clock.now += 61
            assert c.get("/ui/messages").status_code == 303
    finally:
        hub.stop()


def test_the_login_redirect_stays_inside_the_dashboard():
    assert safe_next("/ui/messages?q=1") == "/ui/messages?q=1"
    for outside in ("https://evil.example/ui/", "//evil.example/ui", "/api/tokens", "/ui\\..", "/uix", None):
        assert safe_next(outside) == "/ui/"


def test_search_finds_a_failed_message_by_the_order_number_in_its_raw_body_and_by_customer_name(client, app):
    bad = order_created("WS-FIND-1")
    bad["order"]["items"][0]["uom"] = "箱"
    failed = send(client, bad)
    ok = send(client, order_created("WS-FIND-2"))
    ops, search = app.state.hub.operations, app.state.admin.search
    eventually(lambda: ops.get_message(failed).status == "failed")
    assert [m.id for m in search.find(MessageFilter(q="WS-FIND-1")).items] == [failed]
    assert [m.id for m in ops.list_messages(MessageFilter(q="WS-FIND-1")).items] == [failed]  # the API too
    eventually(lambda: ops.get_message(ok).status == "delivered")
    assert {m.id for m in search.find(MessageFilter(q="上海明辉")).items} == {failed, ok}
    log_in(client)
    page = client.get("/ui/messages", params={"q": "WS-FIND-1"}).text
    assert f'id="m-{failed}"' in page and f'id="m-{ok}"' not in page


def test_the_live_tail_streams_a_new_message_as_a_table_row(client, app):
    log_in(client)
    since = "2000-01-01T00:00:00+00:00"
    mid = send(client, order_created("WS-TAIL-1"))
    with client.stream("GET", "/ui/messages/stream", params={"q": "WS-TAIL-1", "tail_from": since}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data:"):
                assert mid in line and "<tr" in line
                break


def test_the_playground_shows_where_a_mapping_breaks(client, app):
    result = app.state.admin.playground.run('{\n  "a": order.number,\n  "b": )\n}', {"order": {"number": "1"}})
    assert not result.ok and (result.line, result.column) == (3, 8) and "unary operator" in result.error
    log_in(client)
    r = client.post("/ui/playground", data={"csrf_token": csrf_of(client.get("/ui/playground").text),
                                            "source": '{"n": order.number & "!"}', "input": '{"order": {"number": "7"}}'})
    assert r.status_code == 200 and "7!" in r.text


def test_a_connector_page_never_shows_secrets(client, app, monkeypatch):
    monkeypatch.setenv("HUB_SECRET_LEDGER", "whsec_c2VjcmV0LXZhbHVlLW5vdC10by1zaG93")
    log_in(client)
    page = client.get("/ui/connectors/ledger").text
    assert "HUB_SECRET_LEDGER" in page and "c2VjcmV0LXZhbHVlLW5vdC10by1zaG93" not in page
    assert "set in HUB_SECRET_LEDGER (hidden)" in page


def test_a_viewer_is_refused_the_users_page_and_any_action(client, app):
    app.state.admin.auth.create_user("wangfang", "viewer-pass", "viewer")
    log_in(client, "wangfang", "viewer-pass")
    assert client.get("/ui/users").status_code == 403
    token = csrf_of(client.get("/ui/messages").text)
    assert client.post("/ui/connectors/ledger/pause", data={"csrf_token": token}).status_code == 403
    assert client.post("/ui/dead-letters/retry", data={"csrf_token": token}).status_code == 403


@pytest.fixture
def business_in_shanghai(monkeypatch):
    monkeypatch.setenv("HUB_TIME_ZONE", "Asia/Shanghai")


def test_times_are_shown_in_the_business_time_zone_with_utc_on_hover(business_in_shanghai, client, app):
    from datetime import UTC, timedelta

    mid = send(client, order_created("WS-TZ-1"))
    received = app.state.hub.operations.get_message(mid).received_at
    log_in(client)
    client.cookies.set("tz", "America%2FNew_York")  # a browser's own zone no longer changes what is shown
    page = client.get(f"/ui/messages/{mid}").text
    local = (received + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    utc = received.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert f'<time datetime="{received.isoformat()}" title="{utc} UTC">{local}</time>' in page
    assert re.search(r'data-testid="time-zone"[^>]*>Asia/Shanghai \(UTC\+08:00\)</span>', page)


def test_without_a_setting_the_business_time_zone_is_the_hosts(monkeypatch, make_settings):
    from hub import settings as hub_settings

    monkeypatch.delenv("HUB_TIME_ZONE", raising=False)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    assert str(make_settings().zone) == "Asia/Shanghai"
    with pytest.raises(Exception, match="unknown time zone 'Mars/Olympus'"):
        make_settings(time_zone="Mars/Olympus")
    assert hub_settings.host_time_zone() == "Asia/Shanghai"


@pytest.mark.parametrize("mapping", ["/etc/passwd", "/proc/self/environ", "../../../etc/hostname",
                                     "../../hub/settings.py", "../connectors/ledger.yaml"])
def test_the_playground_never_opens_a_file_outside_the_mappings_folder(client, mapping):
    log_in(client, "admin")
    r = client.get("/ui/playground", params={"mapping": mapping})
    assert r.status_code == 200
    assert "root:" not in r.text and "HUB_" not in r.text and "base_url" not in r.text
    assert client.get(f"/ui/mappings/{mapping}").status_code in {404, 422}


def test_a_runaway_expression_in_the_playground_fails_alone_and_the_hub_keeps_answering(client, app):
    import threading

    """In the hub's own process such an expression held the interpreter for its whole timeout."""
    log_in(client, "admin")
    app.state.admin.playground.run("1", {})  # the sandbox is warm
    answers: list[int] = []
    running = threading.Event()

    def probe() -> None:
        while running.is_set():
            answers.append(client.get("/healthz").status_code)
            time.sleep(0.05)

    running.set()
    prober = threading.Thread(target=probe)
    prober.start()
    started = time.monotonic()
    result = app.state.admin.playground.run("( $f := function($n){ $f($n+1) }; $f(0) )", {})
    elapsed, during = time.monotonic() - started, len(answers)
    running.clear()
    prober.join()
    assert not result.ok and result.error
    # held by the expression, no health check would be answered until it ended
    assert elapsed > 1.0 and during >= 3, f"{during} health checks answered in {elapsed:.1f} s"
    assert set(answers) == {200}


def test_the_mappings_page_lists_each_process_with_its_mapping_version_and_a_reload_says_who_applied_it(
        client, app, fast_config):
    log_in(client)
    page = client.get("/ui/mappings").text
    old = app.state.hub.registry.mappings.version
    assert 'id="processes"' in page and f'<span class="mono version">{old}</span>' in page
    assert 'data-agree="yes"' in page
    (fast_config / "mappings" / "ledger" / "book_order.jsonata").write_text('{"reference": data.order_no}',
                                                                              encoding="utf-8")
    assert client.post("/ui/mappings/reload", data={"csrf_token": csrf_of(page)}).status_code == 303
    r = client.get("/ui/mappings")
    new = app.state.hub.registry.mappings.version
    assert new != old and f'<span class="mono version">{new}</span>' in r.text
    assert "1 of 1 processes applied it" in r.text


def test_a_message_without_a_business_key_is_listed_by_its_native_type(client, app):
    log_in(client)
    mid = send(client, {"type": "order.refunded", "refund": {"number": "R-1"}})
    eventually(lambda: app.state.hub.operations.get_message(mid).status == "failed")
    page = client.get("/ui/messages").text
    assert re.search(rf'title="{mid}" class="keyless" data-testid="message-key">order.refunded</a>', page)
    assert f"{mid[:8]}…" not in page


def test_a_failed_mapping_case_shows_a_table_of_its_differences_with_their_paths(client, app, fast_config):
    cases = fast_config / "mappings" / "ledger" / "book_order.tests.yaml"
    cases.write_text(cases.read_text(encoding="utf-8").replace("    amount: 5160", "    amount: 5170"),
                     encoding="utf-8")
    app.state.hub.registry.mappings.reload()
    log_in(client)
    page = client.get("/ui/mappings/ledger/book_order.jsonata").text
    diff = re.search(r'<table class="diff" data-testid="case-diff">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r'<tr data-kind="(\w+)"><td class="mono">([^<]+)</td>\s*<td class="mono">([^<]+)</td>\s*'
                      r'<td class="mono">([^<]+)</td></tr>', diff)
    assert rows == [("changed", "amount", "5170", "5160")]
