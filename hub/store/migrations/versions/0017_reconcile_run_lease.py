"""reconcile_runs.lease_until and reason: a run whose process is gone is marked interrupted, not running forever

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('reconcile_runs', sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('reconcile_runs', sa.Column('reason', sa.Text(), nullable=True))
    # a run left "running" by a process stopped for the upgrade has no heartbeat: its lease is over
    op.execute("UPDATE reconcile_runs SET lease_until = started_at WHERE status = 'running'")


def downgrade() -> None:
    op.drop_column('reconcile_runs', 'reason')
    op.drop_column('reconcile_runs', 'lease_until')
