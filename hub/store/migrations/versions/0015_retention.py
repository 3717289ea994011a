"""inbound_messages.purged_at: when retention removed a message's payloads (its metadata stays)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 04:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('inbound_messages', sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('inbound_messages', 'purged_at')
