"""correlation keys: business keys that tie messages into one transaction

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('correlation_keys',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('correlation_id', sa.String(length=100), nullable=False),
    sa.Column('last_canonical_id', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('correlation_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correlation_keys_correlation_id'), ['correlation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('correlation_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correlation_keys_correlation_id'))
    op.drop_table('correlation_keys')
