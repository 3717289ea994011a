"""aggregates: what each aggregator has gathered per correlation key, so a restart loses none of it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 04:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'aggregates',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('connector', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('members', sa.JSON(), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completion', sa.String(length=10), nullable=True),
        sa.Column('message_id', sa.String(length=36), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('connector', 'name', 'key', 'generation', name='uq_aggregate_key'),
    )
    op.create_index('ix_aggregates_state_expires', 'aggregates', ['state', 'expires_at'])


def downgrade() -> None:
    op.drop_index('ix_aggregates_state_expires', table_name='aggregates')
    op.drop_table('aggregates')
