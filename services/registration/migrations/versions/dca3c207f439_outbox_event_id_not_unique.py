"""outbox: event_id no longer unique (random UUIDs; the index only cost writes)

Revision ID: dca3c207f439
Revises: cbeebedf1434
Create Date: 2026-11-29 23:59:00
"""
from collections.abc import Sequence

from shared.migrate import drop_outbox_event_id_unique, restore_outbox_event_id_unique

revision: str = 'dca3c207f439'
down_revision: str | None = 'cbeebedf1434'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    drop_outbox_event_id_unique()


def downgrade() -> None:
    restore_outbox_event_id_unique()
