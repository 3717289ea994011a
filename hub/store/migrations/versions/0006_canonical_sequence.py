"""one inbound message, several canonical messages: seq, current and status per canonical message;
deliveries carry their element (each) and correlation id (causal order)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 20:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy): SQLite adds and drops these columns in place, and a copy of a
# table that others reference would trip their foreign keys.


def upgrade() -> None:
    op.add_column('canonical_messages', sa.Column('seq', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('canonical_messages', sa.Column('current', sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))
    op.add_column('canonical_messages', sa.Column('status', sa.String(length=20), nullable=True))
    op.create_index('ix_canonical_current', 'canonical_messages', ['message_id', 'current', 'seq'], unique=False)
    op.add_column('deliveries', sa.Column('element', sa.Integer(), nullable=True))
    op.add_column('deliveries', sa.Column('correlation_id', sa.String(length=100), nullable=True))
    op.create_index('ix_delivery_causal', 'deliveries', ['connector', 'correlation_id'], unique=False)
    # The one canonical message an inbound message pointed at is its current one, with its state.
    op.execute("UPDATE canonical_messages SET current = (id IN (SELECT canonical_id FROM inbound_messages "
               "WHERE canonical_id IS NOT NULL))")
    op.execute("UPDATE canonical_messages SET status = (SELECT m.status FROM inbound_messages m "
               "WHERE m.canonical_id = canonical_messages.id) WHERE current")
    op.execute("UPDATE canonical_messages SET status = 'superseded' WHERE NOT current")
    op.execute("UPDATE deliveries SET correlation_id = (SELECT c.correlation_id FROM canonical_messages c "
               "WHERE c.id = deliveries.canonical_id)")
    op.drop_column('inbound_messages', 'canonical_id')


def downgrade() -> None:
    op.add_column('inbound_messages', sa.Column('canonical_id', sa.String(length=36), nullable=True))
    op.execute("UPDATE inbound_messages SET canonical_id = (SELECT c.id FROM canonical_messages c "
               "WHERE c.message_id = inbound_messages.id AND c.current ORDER BY c.seq LIMIT 1)")
    op.drop_index('ix_delivery_causal', 'deliveries')
    op.drop_column('deliveries', 'correlation_id')
    op.drop_column('deliveries', 'element')
    op.drop_index('ix_canonical_current', 'canonical_messages')
    op.drop_column('canonical_messages', 'status')
    op.drop_column('canonical_messages', 'current')
    op.drop_column('canonical_messages', 'seq')
