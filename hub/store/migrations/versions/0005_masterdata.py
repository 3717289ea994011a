"""master data: source records, golden records, blocking keys, match links, history, parameters

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 20:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('md_source_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('local_id', sa.String(length=200), nullable=False),
    sa.Column('golden_id', sa.String(length=36), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('normalised', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity', 'system', 'local_id', name='uq_md_source_local')
    )
    with op.batch_alter_table('md_source_records', schema=None) as batch_op:
        batch_op.create_index('ix_md_source_golden', ['entity', 'golden_id'], unique=False)

    op.create_table('md_golden_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('merged_into', sa.String(length=36), nullable=True),
    sa.Column('search_text', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('md_golden_records', schema=None) as batch_op:
        batch_op.create_index('ix_md_golden_entity_status', ['entity', 'status'], unique=False)

    op.create_table('md_blocking_keys',
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('entity', 'key', 'record_id')
    )
    with op.batch_alter_table('md_blocking_keys', schema=None) as batch_op:
        batch_op.create_index('ix_md_blocking_record', ['record_id'], unique=False)

    op.create_table('md_match_links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('left_id', sa.String(length=36), nullable=False),
    sa.Column('right_id', sa.String(length=36), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity', 'left_id', 'right_id', name='uq_md_link_pair')
    )
    with op.batch_alter_table('md_match_links', schema=None) as batch_op:
        batch_op.create_index('ix_md_link_state', ['entity', 'state', 'created_at'], unique=False)
        batch_op.create_index('ix_md_link_right', ['right_id'], unique=False)

    op.create_table('md_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('golden_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('md_history', schema=None) as batch_op:
        batch_op.create_index('ix_md_history_golden', ['golden_id', 'version'], unique=False)

    op.create_table('md_parameters',
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entity')
    )


def downgrade() -> None:
    op.drop_table('md_parameters')
    with op.batch_alter_table('md_history', schema=None) as batch_op:
        batch_op.drop_index('ix_md_history_golden')
    op.drop_table('md_history')
    with op.batch_alter_table('md_match_links', schema=None) as batch_op:
        batch_op.drop_index('ix_md_link_right')
        batch_op.drop_index('ix_md_link_state')
    op.drop_table('md_match_links')
    with op.batch_alter_table('md_blocking_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_md_blocking_record')
    op.drop_table('md_blocking_keys')
    with op.batch_alter_table('md_golden_records', schema=None) as batch_op:
        batch_op.drop_index('ix_md_golden_entity_status')
    op.drop_table('md_golden_records')
    with op.batch_alter_table('md_source_records', schema=None) as batch_op:
        batch_op.drop_index('ix_md_source_golden')
    op.drop_table('md_source_records')
