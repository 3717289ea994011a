"""A process that starts before its database, or while it restarts, waits for it instead of dying."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from hub.errors import HubError
from hub.store.db import Database
from tests.support.processes import free_port


def test_a_database_that_never_answers_is_named_without_its_password_once_the_wait_is_over():
    db = Database(f"postgresql+psycopg://hub:s3cret@127.0.0.1:{free_port()}/hub")
    try:
        with pytest.raises(HubError) as err:
            db.wait_until_up(0.3)
    finally:
        db.dispose()
    message = str(err.value)
    assert "did not answer within 0.3 s" in message and "127.0.0.1" in message
    assert "s3cret" not in message


def test_a_database_that_answers_after_a_while_is_waited_for_and_the_wait_is_said_once(tmp_path, caplog):
    db = Database(f"sqlite:///{tmp_path}/hub.db")
    refusals = iter([OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))] * 3)

    def ping() -> None:
        refusal = next(refusals, None)
        if refusal is not None:
            raise refusal

    db.ping = ping  # type: ignore[method-assign]
    try:
        with caplog.at_level(logging.WARNING, logger="hub.store"):
            db.wait_until_up(30)
    finally:
        db.dispose()
    waits = [r.getMessage() for r in caplog.records if "waiting for the database" in r.getMessage()]
    assert len(waits) == 1 and "connection refused" in waits[0]
    assert next(refusals, None) is None
