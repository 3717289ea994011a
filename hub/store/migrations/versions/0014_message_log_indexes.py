"""Message log search by index: sender ids, and trigram indexes on PostgreSQL for ``q=``

A search (``q=``) looks for the term inside the masked copy of the payloads and the canonical
subjects (``LIKE '%term%'``). Without an index that reads every message; with pg_trgm's GIN
indexes PostgreSQL finds terms of three characters or more from the index. Where the extension
cannot be created (no right to), the migration leaves the trigram indexes out and search stays
correct, only slower on a large log.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 04:20:00
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

log = logging.getLogger("hub.store")


def upgrade() -> None:
    op.create_index('ix_inbound_sender', 'inbound_messages', ['sender_id'])
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm is not available (%s): message search works without its indexes", exc.orig)
        return
    op.execute('CREATE INDEX ix_inbound_search_trgm ON inbound_messages USING gin (search_text gin_trgm_ops)')
    op.execute('CREATE INDEX ix_canonical_subject_trgm ON canonical_messages USING gin (subject gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_canonical_subject_trgm')
        op.execute('DROP INDEX IF EXISTS ix_inbound_search_trgm')
    op.drop_index('ix_inbound_sender', table_name='inbound_messages')
