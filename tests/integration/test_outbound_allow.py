"""The hub calls only allowed hosts: a changed connector file or HUB_URL_* cannot point it at an internal address."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.connectors.allow import AllowList
from hub.errors import ConfigError
from hub.runtime import Hub
from hub.settings import dev_secret


def build(make_settings, config: Path, **overrides) -> Hub:
    return Hub.build(make_settings(config_dir=config, **overrides))


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data", "http://10.0.0.5:8080",
                                 "http://metadata.google.internal/", "http://2130706433/",
                                 "http://user:pw@127.0.0.1:9/", "file:///etc/passwd"])
def test_a_hub_url_outside_the_allow_list_stops_the_start_naming_connector_url_and_setting(
        make_settings, fast_config, monkeypatch, url):
    monkeypatch.setenv("HUB_URL_LEDGER", url)
    with pytest.raises(ConfigError) as refused:
        build(make_settings, fast_config)
    message = str(refused.value)
    assert "'ledger'" in message and url in message and "HUB_URL_LEDGER" in message


def test_a_connector_file_pointing_at_an_internal_address_is_refused(make_settings, fast_config):
    ledger = fast_config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8")
    base = next(line for line in text.splitlines() if line.startswith("base_url:"))
    ledger.write_text(text.replace(base, "base_url: http://192.168.1.1/admin"), encoding="utf-8")
    with pytest.raises(ConfigError, match="HUB_OUTBOUND_ALLOW"):
        build(make_settings, fast_config)


def test_an_operation_path_that_names_a_host_of_its_own_is_refused(make_settings, fast_config):
    ledger = fast_config / "connectors" / "ledger.yaml"
    text = ledger.read_text(encoding="utf-8")
    path = next(line for line in text.splitlines() if line.strip().startswith("path:"))
    ledger.write_text(text.replace(path, path.split("path:")[0] + "path: '@169.254.169.254/x'"), encoding="utf-8")
    with pytest.raises(ConfigError, match="must begin with a single '/'"):
        build(make_settings, fast_config)


def test_production_calls_nothing_until_hub_outbound_allow_says_so(make_settings, fast_config, monkeypatch):
    for f in (fast_config / "connectors").glob("*.yaml"):
        monkeypatch.setenv(f"HUB_SECRET_{f.stem.upper()}", dev_secret(f"real-{f.stem}"))
    with pytest.raises(ConfigError, match="HUB_OUTBOUND_ALLOW"):
        build(make_settings, fast_config, env="production")
    build(make_settings, fast_config, env="production", outbound_allow="127.0.0.1").stop()


def test_the_allow_list_matches_names_domains_addresses_and_networks():
    allowed = AllowList.parse("erp.corp.example, *.wms.example 10.20.0.0/16 ::1")
    assert allowed.allows("erp.corp.example") and allowed.allows("ERP.corp.example.")
    assert allowed.allows("a.wms.example") and not allowed.allows("wms.example.evil")
    assert allowed.allows("10.20.3.4") and not allowed.allows("10.21.0.1") and allowed.allows("::1")
    assert not allowed.allows("crm.corp.example") and not allowed.allows("127.0.0.1")


def test_a_malformed_allow_list_entry_is_refused_naming_the_setting():
    with pytest.raises(ConfigError, match="HUB_OUTBOUND_ALLOW: 'http://x' is neither"):
        AllowList.parse("http://x")
