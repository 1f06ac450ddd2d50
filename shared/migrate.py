"""Alembic migrations per service, run programmatically on the service's own database."""

from __future__ import annotations

from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from shared.audit import PG_AUDIT_TRIGGER_SQL, SQLITE_AUDIT_TRIGGER_SQL
from shared.db import create_engine


def alembic_config(service: str) -> Config:
    """Alembic configuration for services/<service>/migrations."""
    cfg = Config()
    location = resources.files(f"services.{service}").joinpath("migrations")
    cfg.set_main_option("script_location", str(location))
    return cfg


def _run(service: str, url: str, fn: Any) -> Any:
    async def go() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return go()


async def upgrade(service: str, url: str, revision: str = "head") -> None:
    """Bring a service's database up to a revision."""
    cfg = alembic_config(service)

    def do(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    await _run(service, url, do)


async def autogenerate(service: str, url: str, message: str) -> None:
    """Write a new revision from the difference between the models and the database (developers only)."""
    cfg = alembic_config(service)

    def do(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)

    await _run(service, url, do)


def run_env(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    conn = context.config.attributes.get("connection")
    if conn is None:
        raise RuntimeError("run migrations through shared.migrate (cadre migrate), which supplies a connection")
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def install_audit_guard() -> None:
    """In PostgreSQL, make audit_log refuse UPDATE, DELETE and TRUNCATE (called from a migration)."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_AUDIT_TRIGGER_SQL:
            op.execute(statement)


def install_sqlite_audit_guard() -> None:
    """In SQLite, make audit_log refuse UPDATE and DELETE (called from a migration)."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_AUDIT_TRIGGER_SQL:
            op.execute(statement)


def drop_sqlite_audit_guard() -> None:
    """The downgrade of install_sqlite_audit_guard."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def create_audit_checkpoints() -> None:
    """The table of the other services' audit checkpoints (called from a migration)."""
    op.create_table(
        "audit_checkpoints",
        sa.Column("chain", sa.String(length=60), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checkpointed_at", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain", "seq"))


_OUTBOX_UQ = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # names SQLite's unnamed constraint for batch mode


def drop_outbox_event_id_unique() -> None:
    """Drop the unique constraint on outbox.event_id (called from a migration). The ids are random UUIDs minted in
    the writing transaction, so it guarded nothing, yet cost every outbox insert and every relay update an index
    entry (~6 µs an event); consumers deduplicate on processed_events' primary key."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("outbox_event_id_key", "outbox", type_="unique")
        return
    with op.batch_alter_table("outbox", naming_convention=_OUTBOX_UQ) as batch_op:
        batch_op.drop_constraint("uq_outbox_event_id", type_="unique")


def restore_outbox_event_id_unique() -> None:
    """The downgrade of drop_outbox_event_id_unique."""
    name = "outbox_event_id_key" if op.get_bind().dialect.name == "postgresql" else "uq_outbox_event_id"
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_unique_constraint(name, ["event_id"])
