"""audit_log append-only on SQLite too; the other services' audit checkpoints

Revision ID: c4a1d0e5f7b2
Revises: 1eb7c76f5e1c
Create Date: 2026-12-01 22:00:00
"""
from collections.abc import Sequence

from alembic import op

from shared.migrate import create_audit_checkpoints, drop_sqlite_audit_guard, install_sqlite_audit_guard

revision: str = 'c4a1d0e5f7b2'
down_revision: str | None = '1eb7c76f5e1c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_sqlite_audit_guard()
    create_audit_checkpoints()


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    drop_sqlite_audit_guard()
