"""audit_log append-only on SQLite too; the other services' audit checkpoints

Revision ID: f7d4a3b8c0e5
Revises: 51e2e6ed15b2
Create Date: 2026-12-01 22:00:00
"""
from collections.abc import Sequence

from alembic import op

from shared.migrate import create_audit_checkpoints, drop_sqlite_audit_guard, install_sqlite_audit_guard

revision: str = 'f7d4a3b8c0e5'
down_revision: str | None = '51e2e6ed15b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_sqlite_audit_guard()
    create_audit_checkpoints()


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    drop_sqlite_audit_guard()
