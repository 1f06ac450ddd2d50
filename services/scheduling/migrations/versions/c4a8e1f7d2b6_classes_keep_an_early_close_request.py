"""classes keep the Board's early-close request until the lifecycle serves it (a signal sent before the
workflow ran was lost)

Revision ID: c4a8e1f7d2b6
Revises: b7e2d4f9a1c3
Create Date: 2026-12-03 12:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'c4a8e1f7d2b6'
down_revision: str | None = 'b7e2d4f9a1c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_requested_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_column('close_requested_at')
