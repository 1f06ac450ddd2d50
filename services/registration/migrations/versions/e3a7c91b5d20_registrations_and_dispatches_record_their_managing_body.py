"""registrations and dispatches record the body that manages the official and the rule that named it

Revision ID: e3a7c91b5d20
Revises: d5b2e1f6a8c3
Create Date: 2026-12-02 13:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'e3a7c91b5d20'
down_revision: str | None = 'd5b2e1f6a8c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('registrations', 'postgraduate_dispatches')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('managing_body', sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column('authority_rule', sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('authority_rule')
            batch_op.drop_column('managing_body')
