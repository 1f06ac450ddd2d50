"""audit_log append-only on SQLite too; the other services' audit checkpoints

Revision ID: d5b2e1f6a8c3
Revises: d12e18fe43e0
Create Date: 2026-12-01 22:00:00
"""
from collections.abc import Sequence

from alembic import op

from shared.migrate import create_audit_checkpoints, drop_sqlite_audit_guard, install_sqlite_audit_guard

revision: str = 'd5b2e1f6a8c3'
down_revision: str | None = 'd12e18fe43e0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_sqlite_audit_guard()
    create_audit_checkpoints()


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    drop_sqlite_audit_guard()
