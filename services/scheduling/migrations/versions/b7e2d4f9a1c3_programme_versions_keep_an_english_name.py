"""programme versions keep an English name (nullable: the Vietnamese name stands in without one)

Revision ID: b7e2d4f9a1c3
Revises: e6c3f2a7b9d4
Create Date: 2026-12-03 11:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b7e2d4f9a1c3'
down_revision: str | None = 'e6c3f2a7b9d4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('programme_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('programme_versions', schema=None) as batch_op:
        batch_op.drop_column('name_en')
