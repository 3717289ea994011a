"""inbound_messages.translation_starts: translations begun and not finished (each one a dead worker)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('inbound_messages', sa.Column('translation_starts', sa.Integer(), nullable=False,
                                                server_default='0'))


def downgrade() -> None:
    op.drop_column('inbound_messages', 'translation_starts')
