"""message path, cross-references, connector state

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:37:08.193293
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('connector_state',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('inbound_messages',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('connector', sa.String(length=64), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('mode', sa.String(length=32), nullable=False),
    sa.Column('native_type', sa.String(length=200), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('error_detail', sa.JSON(), nullable=True),
    sa.Column('canonical_id', sa.String(length=36), nullable=True),
    sa.Column('translations', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('connector', 'sender_id', name='uq_inbound_sender')
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_connector'), ['connector'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_status'), ['status'], unique=False)
        batch_op.create_index('ix_inbound_status_received', ['status', 'received_at'], unique=False)

    op.create_table('xrefs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('golden_id', sa.String(length=36), nullable=False),
    sa.Column('system', sa.String(length=64), nullable=False),
    sa.Column('local_id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity', 'system', 'local_id', name='uq_xref_local')
    )
    with op.batch_alter_table('xrefs', schema=None) as batch_op:
        batch_op.create_index('ix_xref_golden', ['entity', 'golden_id'], unique=False)

    op.create_table('canonical_messages',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dataschema', sa.String(length=200), nullable=False),
    sa.Column('correlation_id', sa.String(length=100), nullable=False),
    sa.Column('causation_id', sa.String(length=100), nullable=True),
    sa.Column('traceparent', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['inbound_messages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('canonical_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canonical_messages_correlation_id'), ['correlation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_canonical_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_canonical_messages_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_canonical_messages_subject'), ['subject'], unique=False)
        batch_op.create_index(batch_op.f('ix_canonical_messages_type'), ['type'], unique=False)

    op.create_table('deliveries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('canonical_id', sa.String(length=36), nullable=False),
    sa.Column('connector', sa.String(length=64), nullable=False),
    sa.Column('operation', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('request', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['canonical_id'], ['canonical_messages.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['inbound_messages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_canonical_id'), ['canonical_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_connector'), ['connector'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_status'), ['status'], unique=False)
        batch_op.create_index('ix_delivery_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('attempts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('delivery_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('response_excerpt', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_delivery_id'), ['delivery_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_delivery_id'))

    op.drop_table('attempts')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_due')
        batch_op.drop_index(batch_op.f('ix_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_deliveries_message_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_connector'))
        batch_op.drop_index(batch_op.f('ix_deliveries_canonical_id'))

    op.drop_table('deliveries')
    with op.batch_alter_table('canonical_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canonical_messages_type'))
        batch_op.drop_index(batch_op.f('ix_canonical_messages_subject'))
        batch_op.drop_index(batch_op.f('ix_canonical_messages_message_id'))
        batch_op.drop_index(batch_op.f('ix_canonical_messages_created_at'))
        batch_op.drop_index(batch_op.f('ix_canonical_messages_correlation_id'))

    op.drop_table('canonical_messages')
    with op.batch_alter_table('xrefs', schema=None) as batch_op:
        batch_op.drop_index('ix_xref_golden')

    op.drop_table('xrefs')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_status_received')
        batch_op.drop_index(batch_op.f('ix_inbound_messages_status'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_received_at'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_connector'))

    op.drop_table('inbound_messages')
    op.drop_table('connector_state')
