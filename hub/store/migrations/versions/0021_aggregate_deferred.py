"""aggregates.deferred_at: a completion put off until what its sender sent earlier is translated

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('aggregates', sa.Column('deferred_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('aggregates') as batch_op:
        batch_op.drop_column('deferred_at')
