"""``hub.api.factory:app`` — the API app for ``hub serve`` (no workers in this process)."""

import logging

from hub import logs
from hub.api.app import create_app
from hub.runtime import Hub, freeze_startup_heap
from hub.settings import load_settings

if not logging.getLogger().handlers:  # a uvicorn worker process: JSON lines like its parent
    logs.configure()
app = create_app(Hub.build(load_settings()))
freeze_startup_heap()
