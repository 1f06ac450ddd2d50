"""The infrastructure tables every service database carries: outbox, processed events, audit chain, and the
other services' audit checkpoints."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)

from shared.audit import SQLITE_AUDIT_TRIGGER_SQL

BigInt = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class InfraTables:
    """Handles on one service's infrastructure tables."""

    outbox: Table
    processed: Table
    audit: Table
    checkpoints: Table


def define_infra_tables(metadata: MetaData) -> InfraTables:
    """Declare outbox, processed_events and audit_log on a service's metadata."""
    outbox = Table(
        "outbox", metadata,
        Column("seq", BigInt, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),  # a fresh UUID: unique without an index to say so
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_type", String(120), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        # the relay reads the oldest unsent rows in order: a partial index keeps that O(batch) however large
        # the backlog or the table grows
        Index("ix_outbox_unsent", "seq", postgresql_where=text("sent_at IS NULL"),
              sqlite_where=text("sent_at IS NULL")),
    )
    processed = Table(
        "processed_events", metadata,
        Column("consumer_group", String(120), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    audit = Table(
        "audit_log", metadata,
        Column("chain", String(60), primary_key=True),
        Column("seq", BigInt, primary_key=True, autoincrement=False),
        Column("record_id", String(64), nullable=False),
        Column("recorded_at", String(40), nullable=False),
        Column("body", Text, nullable=False),
        Column("subject", String(200), nullable=False),
        Column("action", String(120), nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        UniqueConstraint("record_id", name="uq_audit_record_id"),
        Index("ix_audit_subject", "subject"),
    )
    for statement in SQLITE_AUDIT_TRIGGER_SQL:  # tables made from the models (tests) are append-only as well
        event.listen(audit, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    # the heads of the *other* services' audit chains, as their relays published them (AuditCheckpointed): kept
    # where the chain's owner cannot rewrite them, so `cadre audit verify` notices a chain shortened or rewritten
    checkpoints = Table(
        "audit_checkpoints", metadata,
        Column("chain", String(60), primary_key=True),
        Column("seq", BigInt, primary_key=True, autoincrement=False),
        Column("hash", String(64), nullable=False),
        Column("checkpointed_at", String(40), nullable=False),
        Column("event_id", String(64), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )
    return InfraTables(outbox=outbox, processed=processed, audit=audit, checkpoints=checkpoints)
