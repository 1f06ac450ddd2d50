"""outbox: event_id no longer unique (random UUIDs; the index only cost writes)

Revision ID: 1eb7c76f5e1c
Revises: b31ef56fe827
Create Date: 2026-11-29 23:59:00
"""
from collections.abc import Sequence

from shared.migrate import drop_outbox_event_id_unique, restore_outbox_event_id_unique

revision: str = '1eb7c76f5e1c'
down_revision: str | None = 'b31ef56fe827'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    drop_outbox_event_id_unique()


def downgrade() -> None:
    restore_outbox_event_id_unique()
