"""canonical_messages.no_route: why a canonical message makes no delivery

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy), as in 0006: a copy of a table others reference would trip their keys.


def upgrade() -> None:
    op.add_column('canonical_messages', sa.Column('no_route', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('canonical_messages', 'no_route')
