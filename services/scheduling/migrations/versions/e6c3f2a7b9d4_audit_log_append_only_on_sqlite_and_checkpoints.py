"""audit_log append-only on SQLite too; the other services' audit checkpoints

Revision ID: e6c3f2a7b9d4
Revises: 8ebf9839dc3f
Create Date: 2026-12-01 22:00:00
"""
from collections.abc import Sequence

from alembic import op

from shared.migrate import create_audit_checkpoints, drop_sqlite_audit_guard, install_sqlite_audit_guard

revision: str = 'e6c3f2a7b9d4'
down_revision: str | None = '8ebf9839dc3f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_sqlite_audit_guard()
    create_audit_checkpoints()


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    drop_sqlite_audit_guard()
