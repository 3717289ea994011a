"""circuit_breakers: each connector's circuit breaker state, shared by every worker process

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'circuit_breakers',
        sa.Column('connector', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
        sa.Column('window_calls', sa.Integer(), nullable=False),
        sa.Column('window_failures', sa.Integer(), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('open_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('probe_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('connector'),
    )


def downgrade() -> None:
    op.drop_table('circuit_breakers')
