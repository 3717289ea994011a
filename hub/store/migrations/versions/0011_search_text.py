"""inbound_messages.search_text: search looks in a masked copy of the payloads, never in the payloads

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 04:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.add_column('inbound_messages', sa.Column('search_text', sa.Text(), nullable=True))
    # Messages stored before: masked with the default masked fields (a connector's own list applies
    # from its next translation or replay on).
    from hub.connectors.models import DEFAULT_MASKED_FIELDS
    from hub.masking import search_text

    fields = frozenset(DEFAULT_MASKED_FIELDS)
    bind = op.get_bind()
    messages = sa.table('inbound_messages', sa.column('id', sa.String), sa.column('body', sa.JSON),
                        sa.column('search_text', sa.Text))
    canonicals = sa.table('canonical_messages', sa.column('message_id', sa.String), sa.column('data', sa.JSON),
                          sa.column('current', sa.Boolean), sa.column('seq', sa.Integer))
    last = ''
    while True:
        rows = bind.execute(sa.select(messages.c.id, messages.c.body).where(messages.c.id > last)
                            .order_by(messages.c.id).limit(BATCH)).all()
        if not rows:
            break
        for mid, body in rows:
            data = bind.execute(sa.select(canonicals.c.data).where(canonicals.c.message_id == mid,
                                                                   canonicals.c.current)
                                .order_by(canonicals.c.seq)).scalars().all()
            body = json.loads(body) if isinstance(body, str) else body
            data = [json.loads(d) if isinstance(d, str) else d for d in data]
            bind.execute(sa.update(messages).where(messages.c.id == mid)
                         .values(search_text=search_text(fields, body, *data)))
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_column('inbound_messages', 'search_text')
