"""outbox: event_id no longer unique (random UUIDs; the index only cost writes)

Revision ID: 51e2e6ed15b2
Revises: 420680ac792a
Create Date: 2026-11-29 23:59:00
"""
from collections.abc import Sequence

from shared.migrate import drop_outbox_event_id_unique, restore_outbox_event_id_unique

revision: str = '51e2e6ed15b2'
down_revision: str | None = '420680ac792a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    drop_outbox_event_id_unique()


def downgrade() -> None:
    restore_outbox_event_id_unique()
