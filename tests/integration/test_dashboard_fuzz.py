"""Fuzzing the dashboard's forms as a signed-in admin: whatever is typed, the answer is never a 5xx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api import create_app
from hub.runtime import Hub

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
typed = st.text(max_size=40) | st.sampled_from(["", "%", "_", "..", "../../etc/passwd", "99999999999", "-1",
                                                "0", "admin", "query", "<script>", "a\nb", "\x00"])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def admin(request, make_settings, fast_config: Path) -> Iterator[TestClient]:
    overrides = {"config_dir": fast_config}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("pg_url")
    hub = Hub.build(make_settings(**overrides))
    with TestClient(create_app(hub), raise_server_exceptions=False) as c:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/ui/login").text).group(1)
        assert c.post("/ui/login", data={"username": "admin", "password": "admin", "csrf_token": csrf},
                      follow_redirects=False).status_code == 303
        c.csrf = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/ui/").text).group(1)  # type: ignore[attr-defined]
        yield c
    hub.stop()


def post(c: TestClient, path: str, **fields: str) -> None:
    r = c.post(path, data={**fields, "csrf_token": c.csrf}, follow_redirects=False)
    assert r.status_code < 500, (path, fields, r.text[:300])


@FUZZ
@given(name=typed, days=typed, scope=st.sampled_from(["scope_query", "scope_operate", "scope_admin", "scope_x"]))
def test_the_token_form_never_answers_a_5xx(admin, name, days, scope):
    post(admin, "/ui/tokens", name=name, expires_in_days=days, **{scope: "on"})


@FUZZ
@given(username=typed, password=typed, role=typed | st.sampled_from(["viewer", "operator", "admin"]))
def test_the_user_form_never_answers_a_5xx(admin, username, password, role):
    post(admin, "/ui/users", username=username, password=password, role=role)


@FUZZ
@given(connector=typed, error=typed, q=typed)
def test_the_dead_letter_and_search_forms_never_answer_a_5xx(admin, connector, error, q):
    post(admin, "/ui/dead-letters/retry", connector=connector, error=error)
    r = admin.get("/ui/messages", params={"q": q, "connector": connector})
    assert r.status_code < 500, r.text[:300]
    r = admin.get("/ui/dead-letters", params={"connector": connector, "error": error})
    assert r.status_code < 500, r.text[:300]


@FUZZ
@given(username=typed, password=typed, target=typed)
def test_the_login_form_never_answers_a_5xx(admin, username, password, target):
    post(admin, "/ui/login", username=username, password=password, next=target)
