"""`hub connectors new NAME --from-openapi`: a connector from the reference systems' own OpenAPI documents."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hub.cli import app
from hub.connectors.scaffold import operation_name, path_template
from hub.mapping import MappingLibrary, make_engine
from hub.registry import load_registry
from mocks.runner import SYSTEMS
from tests.conftest import QUICKSTART
from tests.support.processes import alive, stop
from tests.support.target import free_port
from tests.support.waiting import eventually


@pytest.fixture
def config(tmp_path: Path) -> Path:
    dest = tmp_path / "config"
    shutil.copytree(QUICKSTART, dest, symlinks=False)
    return dest


def document(system: str, folder: Path) -> Path:
    """The system's OpenAPI document, as its server serves it at /openapi.json."""
    spec = importlib.import_module(f"mocks.{system}.app")
    path = folder / f"{system}.openapi.json"
    path.write_text(json.dumps(spec.build().openapi()), encoding="utf-8")
    return path


def new(config: Path, name: str, source: str, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["connectors", "new", name, "--from-openapi", source,
                                    "--config-dir", str(config), *extra], terminal_width=100)


@pytest.mark.parametrize("system", SYSTEMS)
def test_each_reference_systems_document_becomes_a_connector_that_passes_the_check_and_its_cases(
        system, config, tmp_path, monkeypatch):
    doc = json.loads(document(system, tmp_path).read_text(encoding="utf-8"))
    result = new(config, f"new_{system}", str(tmp_path / f"{system}.openapi.json"))
    assert result.exit_code == 0, result.output

    written = yaml.safe_load((config / "connectors" / f"new_{system}.yaml").read_text(encoding="utf-8"))
    writes = [(m.upper(), p) for p, item in doc["paths"].items() if not p.startswith(("/_", "/healthz"))
              for m in item if m in ("post", "put", "patch", "delete")]
    assert sorted((o["method"], o["path"].replace("{data.", "{")) for o in written["operations"].values()) == \
        sorted(writes)
    with_body = [n for n, o in written["operations"].items() if "mapping" in o]
    assert with_body and all((config / "mappings" / f"new_{system}" / f"out_{n}.tests.yaml").is_file()
                             for n in with_body)

    monkeypatch.setenv("HUB_CONFIG_DIR", str(config))
    check = CliRunner().invoke(app, ["connectors", "check"], terminal_width=80)
    assert check.exit_code == 0, check.output
    assert check.output.rstrip().splitlines()[-1].startswith("ok: 3 connectors")
    registry = load_registry(config, make_engine("jlens"))
    assert set(registry.connectors[f"new_{system}"].operations) == set(written["operations"])
    for engine in ("jlens", "jsonata-python"):
        library = MappingLibrary(config / "mappings", make_engine(engine))
        stubs = [m for m in library.all() if m.name.startswith(f"new_{system}/")]
        results = [r for m in stubs for r in library.run_cases(m)]
        assert len(results) == len(with_body) and all(r.passed for r in results), \
            [r for r in results if not r.passed][:1]


def test_a_running_systems_url_is_read_and_its_origin_becomes_the_base_url(config, tmp_path):
    port = free_port()
    env = {**os.environ, "MOCK_CRM_PORT": str(port), "MOCK_CRM_DATABASE": f"sqlite:///{tmp_path}/crm.db",
           "MOCK_WEBHOOKS": "0", "MOCK_SIMULATION": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "mocks", "crm"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: alive(url), timeout=60, what="the CRM to answer")
        result = new(config, "crm_copy", f"{url}/openapi.json")
    finally:
        stop([proc])
    assert result.exit_code == 0, result.output
    written = yaml.safe_load((config / "connectors" / "crm_copy.yaml").read_text(encoding="utf-8"))
    assert written["base_url"] == url and written["title"] == "Hengjia CRM"
    assert written["operations"]["record_shipment"] == {
        "method": "POST", "path": "/api/v1/salesOrders/{data.orderNo}/shipment",
        "mapping": "crm_copy/out_record_shipment.jsonata", "description": "Show WMS's shipment"}


def test_existing_files_are_kept_unless_forced_and_bad_input_is_a_clear_error(config, tmp_path):
    source = str(document("wms", tmp_path))
    assert new(config, "wms2", source).exit_code == 0
    again = new(config, "wms2", source)
    assert again.exit_code == 1 and "would overwrite connectors/wms2.yaml" in again.output
    assert new(config, "wms2", source, "--force").exit_code == 0
    assert "lowercase letters" in new(config, "Bad-Name", source).output
    (tmp_path / "not.json").write_text('{"hello": 1}', encoding="utf-8")
    assert "not an OpenAPI document" in new(config, "x", str(tmp_path / "not.json")).output
    assert "no file" in new(config, "x", str(tmp_path / "missing.json")).output


def test_names_and_paths_read_like_the_operations_they_are():
    assert operation_name("create_customer_api_v1_customers_post", "post", "/api/v1/customers") == "create_customer"
    assert operation_name("createPurchaseOrder", "post", "/po") == "create_purchase_order"
    assert operation_name(None, "delete", "/items/{id}") == "delete_items_id"
    assert path_template("/orders/{orderNo}/lines/{line-no}") == "/orders/{data.orderNo}/lines/{data.`line-no`}"
