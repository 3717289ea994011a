"""Drop the indexes whose column another index of the table begins with

A message's rows are written several times on their way (a delivery is inserted, claimed and
settled; its status moves each time), and every write that moves an indexed column adds an entry
to every index of the table. These five indexes answer nothing the longer index beginning with the
same column does not: ``inbound_messages (connector)`` and ``(status)`` beside ``(connector,
sender_id)`` and ``(status, received_at)``; ``canonical_messages (message_id)`` beside
``(message_id, current, seq)``; ``deliveries (connector)`` and ``(status)`` beside ``(connector,
ordering_key)`` and ``(status, next_attempt_at)``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 01:20:00
"""
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

REDUNDANT = (
    ('ix_inbound_messages_connector', 'inbound_messages', 'connector'),
    ('ix_inbound_messages_status', 'inbound_messages', 'status'),
    ('ix_canonical_messages_message_id', 'canonical_messages', 'message_id'),
    ('ix_deliveries_connector', 'deliveries', 'connector'),
    ('ix_deliveries_status', 'deliveries', 'status'),
)


def upgrade() -> None:
    for name, table, _ in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column])
