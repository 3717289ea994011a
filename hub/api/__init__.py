"""The HTTP faces of the hub: webhooks in, operations API, health and metrics."""

from hub.api.app import create_app

__all__ = ["create_app"]
