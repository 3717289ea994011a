"""canonical_messages.echo_of and ix_delivery_recent: an event that reports back a call the hub made

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('canonical_messages', sa.Column('echo_of', sa.JSON(), nullable=True))
    op.create_index('ix_delivery_recent', 'deliveries', ['connector', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_delivery_recent', table_name='deliveries')
    with op.batch_alter_table('canonical_messages') as batch_op:
        batch_op.drop_column('echo_of')
