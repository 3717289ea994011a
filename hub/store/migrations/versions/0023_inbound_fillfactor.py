"""inbound_messages leaves room on each page, so the updates that change no indexed column stay on it

A message's row is updated four times on its way (its translation's start, the take, the translated
status, the delivered status). An update whose new version fits on the same page and changes no
indexed column (a HOT update) writes no index entry; any other writes one into every index of the
table, the trigram index of ``search_text`` included: several hundred entries for a 4 KB order.
With every page filled at insert, most updates found no room. PostgreSQL only; new pages take it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 22:50:00
"""
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

FILLFACTOR = 70


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE inbound_messages SET (fillfactor = {FILLFACTOR})')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE inbound_messages RESET (fillfactor)')
