"""tasks keep their words folded for the inbox search (diacritics, case and spacing ignored)

Revision ID: f3c8a2d6b1e9
Revises: e5b9c3a1d2f4
Create Date: 2026-12-02 13:40:00
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.vietnamese import fold

revision: str = 'f3c8a2d6b1e9'
down_revision: str | None = 'e5b9c3a1d2f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _words(value: object) -> list[str]:  # as services.portal.service.records.search_text, frozen here
    if isinstance(value, dict):
        return [w for v in value.values() for w in _words(v)]
    if isinstance(value, list | tuple):
        return [w for v in value for w in _words(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_folded', sa.Text(), nullable=False, server_default=''))
    tasks = sa.table('tasks', sa.column('id', sa.String), sa.column('title_vi', sa.String),
                     sa.column('title_en', sa.String), sa.column('dossier', sa.Text),
                     sa.column('search_folded', sa.Text))
    bind = op.get_bind()
    for row in bind.execute(sa.select(tasks.c.id, tasks.c.title_vi, tasks.c.title_en, tasks.c.dossier)).all():
        words = fold(" ".join([row.title_vi, row.title_en, *_words(json.loads(row.dossier or "{}"))]))
        bind.execute(tasks.update().where(tasks.c.id == row.id).values(search_folded=words))


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('search_folded')
