"""outbox: event_id no longer unique (random UUIDs; the index only cost writes)

Revision ID: 1401ecd0efce
Revises: 18b9c78a26ca
Create Date: 2026-11-29 23:59:00
"""
from collections.abc import Sequence

from shared.migrate import drop_outbox_event_id_unique, restore_outbox_event_id_unique

revision: str = '1401ecd0efce'
down_revision: str | None = '18b9c78a26ca'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    drop_outbox_event_id_unique()


def downgrade() -> None:
    restore_outbox_event_id_unique()
