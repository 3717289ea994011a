"""``hub.api.factory:app`` — the API app for ``hub serve`` (no workers in this process)."""

from hub.api.app import create_app
from hub.runtime import Hub
from hub.settings import load_settings

app = create_app(Hub.build(load_settings()))
