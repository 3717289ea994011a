"""reconcile_runs and reconcile_mismatches: what each reconciliation found, and the replays it led to

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reconcile_runs',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('trigger', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('mismatches', sa.Integer(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
    )
    op.create_index('ix_reconcile_runs_started_at', 'reconcile_runs', ['started_at'])
    op.create_table(
        'reconcile_mismatches',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('run_id', sa.String(length=36), sa.ForeignKey('reconcile_runs.id'), nullable=False),
        sa.Column('check', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('left_amount', sa.Float(), nullable=True),
        sa.Column('right_amount', sa.Float(), nullable=True),
        sa.Column('replayed_message_id', sa.String(length=36), nullable=True),
        sa.Column('replayed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('replay_status', sa.String(length=20), nullable=True),
    )
    op.create_index('ix_reconcile_mismatches_run_id', 'reconcile_mismatches', ['run_id'])


def downgrade() -> None:
    op.drop_index('ix_reconcile_mismatches_run_id', 'reconcile_mismatches')
    op.drop_table('reconcile_mismatches')
    op.drop_index('ix_reconcile_runs_started_at', 'reconcile_runs')
    op.drop_table('reconcile_runs')
