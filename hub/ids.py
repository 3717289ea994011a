"""Time-ordered ids (UUIDv7): sortable by creation, unique across processes."""

import uuid_utils


def new_id() -> str:
    return str(uuid_utils.uuid7())
