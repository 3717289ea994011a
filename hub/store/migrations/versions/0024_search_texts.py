"""The masked search copy moves from inbound_messages into a table of its own, search_texts

A message's row is updated as it moves on (translated, delivered), and an update that changes an
indexed column writes new entries into every index of the table: with ``search_text`` there, each
such update inserted all the text's trigrams into its GIN index again (683 for a 20-line order).
In ``search_texts`` the raw body's copy (part 0) is written once at ingest and the canonical
payloads' copy (part 1) once per translation, and the status updates touch no trigram index.
Messages stored before keep their whole copy as part 0.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_texts',
        sa.Column('message_id', sa.String(length=36),
                  sa.ForeignKey('inbound_messages.id', ondelete='CASCADE'), nullable=False),
        sa.Column('part', sa.SmallInteger(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('message_id', 'part'),
    )
    op.execute('INSERT INTO search_texts (message_id, part, text) '
               'SELECT id, 0, search_text FROM inbound_messages WHERE search_text IS NOT NULL')
    if _has_trigrams():
        op.execute('DROP INDEX IF EXISTS ix_inbound_search_trgm')
        op.execute('CREATE INDEX ix_search_texts_trgm ON search_texts USING gin (text gin_trgm_ops)')
    op.drop_column('inbound_messages', 'search_text')


def downgrade() -> None:
    op.add_column('inbound_messages', sa.Column('search_text', sa.Text(), nullable=True))
    part = "COALESCE((SELECT text FROM search_texts WHERE message_id = inbound_messages.id AND part = {}), '')"
    op.execute(f"UPDATE inbound_messages SET search_text = {part.format(0)} || ' ' || {part.format(1)} "
               "WHERE id IN (SELECT message_id FROM search_texts)")
    if _has_trigrams():
        op.execute('CREATE INDEX ix_inbound_search_trgm ON inbound_messages USING gin (search_text gin_trgm_ops)')
    op.drop_table('search_texts')


def _has_trigrams() -> bool:
    """Whether migration 0014 could create pg_trgm (PostgreSQL only; search works without it, slower)."""
    bind = op.get_bind()
    return bind.dialect.name == 'postgresql' and bind.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None
