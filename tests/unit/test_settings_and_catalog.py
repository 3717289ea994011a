"""Settings fail at start naming the variable; the catalog validates canonical payloads."""

from __future__ import annotations

import pytest

from hub.catalog import Catalog
from hub.errors import ConfigError, SchemaError
from hub.settings import REPO_ROOT, load_settings


def test_a_wrong_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("HUB_BROKER_URL", "amqp://localhost")
    with pytest.raises(ConfigError, match="HUB_BROKER_URL: .*redis://"):
        load_settings()


def test_an_unknown_database_is_refused(monkeypatch):
    monkeypatch.setenv("HUB_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match="HUB_DATABASE_URL"):
        load_settings()


def test_a_config_dir_without_connectors_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="HUB_CONFIG_DIR: .*no connectors/ folder"):
        load_settings(config_dir=tmp_path)


def test_postgresql_urls_use_psycopg_3():
    assert load_settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"


def test_a_payload_breaking_its_schema_is_refused_with_the_path():
    catalog = Catalog(REPO_ROOT / "mappings" / "canonical")
    t = catalog.get("sales_order.placed")
    good = {"order_no": "A", "customer": "C", "currency": "CNY", "total": 1,
            "lines": [{"line_no": 1, "item": "I", "qty": 1, "uom": "PCS"}]}
    t.validate(good)
    assert t.subject(good) == "A" and t.dataschema == "/schemas/sales_order.placed/1"
    bad = {**good, "lines": [{"line_no": 1, "item": "I", "qty": 0, "uom": "PCS"}]}
    with pytest.raises(SchemaError) as err:
        t.validate(bad)
    assert err.value.path == "/lines/0/qty"
