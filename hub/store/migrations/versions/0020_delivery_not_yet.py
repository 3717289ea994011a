"""deliveries.not_yet: the target answered that what the call refers to has not arrived yet

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries') as batch_op:
        batch_op.add_column(sa.Column('not_yet', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('deliveries') as batch_op:
        batch_op.drop_column('not_yet')
