"""deliveries.ordering_key: per-key ordering of deliveries to one connector

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ordering_key', sa.String(length=255), nullable=True))
        batch_op.create_index('ix_delivery_ordering', ['connector', 'ordering_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_ordering')
        batch_op.drop_column('ordering_key')
