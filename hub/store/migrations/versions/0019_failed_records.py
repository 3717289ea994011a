"""canonical_messages.error, error_detail: a split batch's record that failed alone, kept to be replayed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('canonical_messages', sa.Column('error', sa.Text(), nullable=True))
    op.add_column('canonical_messages', sa.Column('error_detail', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('canonical_messages', 'error_detail')
    op.drop_column('canonical_messages', 'error')
