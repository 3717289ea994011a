"""deliveries.tap: a wire tap's copies stand outside every order and the message's status

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy), as in 0006: a copy of a table others reference would trip their keys.


def upgrade() -> None:
    op.add_column('deliveries', sa.Column('tap', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('deliveries', 'tap')
