"""The message-path test configuration (tests/support/pipeline_config.py), compiled."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.mapping import make_engine
from hub.registry import Registry
from tests.support.pipeline_config import write_config


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config")


@pytest.fixture
def registry(config: Path) -> Registry:
    return Registry(config, make_engine("jlens"))
