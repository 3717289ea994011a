"""scheduled_jobs: when a periodic job (retention) last ran, so the schedule holds across restarts and processes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduled_jobs',
        sa.Column('name', sa.String(length=100), primary_key=True),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('scheduled_jobs')
