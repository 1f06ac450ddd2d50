"""The audit trail: an append-only SHA-256 hash chain per service, one record per decision."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

GENESIS = "0" * 64

# PostgreSQL refuses any change to a written audit record (applied by each service's migration).
PG_AUDIT_TRIGGER_SQL = [
    """
    CREATE OR REPLACE FUNCTION cadre_audit_refuse_change() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION cadre_audit_refuse_change()""",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION cadre_audit_refuse_change()""",
]

# SQLite refuses the same (it has no TRUNCATE; DELETE without WHERE is a DELETE). A trigger is no defence against
# whoever can write the database file (they can drop it): the checkpoints kept by the other services are.
SQLITE_AUDIT_TRIGGER_SQL = [
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END""",
]


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, body: str) -> str:
    """A record's hash: SHA-256 over the previous hash and the record's canonical body."""
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who decided, with which role, and on whose behalf (delegation)."""

    user_id: str
    role: str
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """A decision to record."""

    actor: Actor
    action: str
    subject: str
    reason_vi: str
    reason_en: str
    inputs: dict[str, Any] = field(default_factory=dict)
    secret_inputs: bool = False
    policy_version: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """A written link of the chain."""

    chain: str
    seq: int
    record_id: str
    recorded_at: str
    body: dict[str, Any]
    prev_hash: str
    hash: str


async def _lock_chain(session: AsyncSession, chain: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": f"audit:{chain}"})


async def head(session: AsyncSession, table: Table, chain: str) -> tuple[int, str]:
    """The chain's last sequence number and hash (0 and the genesis hash when empty)."""
    row = (await session.execute(
        select(table.c.seq, table.c.hash).where(table.c.chain == chain).order_by(table.c.seq.desc()).limit(1)
    )).first()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)


def link(chain: str, seq: int, prev: str, entry: AuditEntry) -> tuple[AuditRecord, dict[str, Any]]:
    """The record that follows (``seq``, ``prev``) on the chain, and its audit_log row (not yet written): the
    canonical body is made once, for the hash and the row alike."""
    recorded_at = datetime.now(UTC).isoformat(timespec="microseconds")
    record_id = str(uuid.uuid4())
    body = {
        "chain": chain, "seq": seq + 1, "record_id": record_id, "recorded_at": recorded_at,
        "actor": {"user_id": entry.actor.user_id, "role": entry.actor.role, "on_behalf_of": entry.actor.on_behalf_of},
        "action": entry.action, "subject": entry.subject,
        "reason": {"vi": entry.reason_vi, "en": entry.reason_en},
        "inputs": None if entry.secret_inputs else entry.inputs, "inputs_digest": digest(entry.inputs),
        "policy_version": entry.policy_version, "workflow_id": entry.workflow_id, "run_id": entry.run_id,
    }
    text_body = canonical_json(body)
    h = chain_hash(prev, text_body)
    row = {"chain": chain, "seq": seq + 1, "record_id": record_id, "recorded_at": recorded_at, "body": text_body,
           "subject": entry.subject, "action": entry.action, "prev_hash": prev, "hash": h}
    return AuditRecord(chain, seq + 1, record_id, recorded_at, body, prev, h), row


async def locked_head(session: AsyncSession, table: Table, chain: str) -> tuple[int, str]:
    """The chain's head, read under the chain's lock for the rest of the caller's transaction (PostgreSQL: an
    advisory lock; SQLite: the write lock BEGIN IMMEDIATE took), so nobody else appends until it ends. The caller
    links its records to it and writes them before the transaction commits (shared.uow)."""
    await _lock_chain(session, chain)
    return await head(session, table, chain)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of recomputing a chain."""

    chain: str
    records: int
    ok: bool
    first_bad_seq: int | None = None
    first_bad_record_id: str | None = None
    problem: str | None = None
    head_hash: str = GENESIS


async def verify(session: AsyncSession, table: Table) -> list[VerifyResult]:
    """Recompute every chain in a service database; name the first bad record of each."""
    chains = [r[0] for r in (await session.execute(select(table.c.chain).distinct())).all()]
    results = []
    for chain in sorted(chains):
        rows = (await session.execute(select(table).where(table.c.chain == chain).order_by(table.c.seq))).all()
        prev, expected_seq, bad = GENESIS, 1, None
        for r in rows:
            why = None
            try:
                body = json.loads(r.body)
            except ValueError:
                body = {}
                why = "body is not JSON"
            if why is None and r.seq != expected_seq:
                why = f"sequence gap: expected {expected_seq}, found {r.seq}"
            elif why is None and r.prev_hash != prev:
                why = "prev_hash does not match the previous record's hash"
            elif why is None and chain_hash(r.prev_hash, r.body) != r.hash:
                why = "hash does not match the record's content"
            elif why is None and (body.get("seq") != r.seq or body.get("chain") != chain
                                  or body.get("action") != r.action or body.get("subject") != r.subject
                                  or body.get("record_id") != r.record_id):
                why = "indexed columns differ from the hashed body"
            if why:
                bad = VerifyResult(chain, len(rows), False, int(r.seq), str(r.record_id), why, prev)
                break
            prev, expected_seq = r.hash, expected_seq + 1
        results.append(bad or VerifyResult(chain, len(rows), True, head_hash=prev))
    return results


@dataclass(frozen=True)
class Checkpoint:
    """A chain's head as its owner published it, and which service kept it."""

    chain: str
    seq: int
    hash: str
    kept_by: str
    checkpointed_at: str = ""


async def against_checkpoint(session: AsyncSession, table: Table, checkpoint: Checkpoint) -> str | None:
    """Why the chain does not reach or match the checkpoint (a missing tail, a rewritten record), or None."""
    last = (await session.execute(select(func.max(table.c.seq)).where(table.c.chain == checkpoint.chain))).scalar()
    last = int(last or 0)
    if last < checkpoint.seq:
        return (f"missing tail: the checkpoint kept by {checkpoint.kept_by} names seq {checkpoint.seq} "
                f"(hash {checkpoint.hash[:16]}…), the chain ends at seq {last}")
    row = (await session.execute(select(table.c.hash).where(table.c.chain == checkpoint.chain,
                                                             table.c.seq == checkpoint.seq))).first()
    if row is None or row.hash != checkpoint.hash:
        return (f"record {checkpoint.seq} differs from the checkpoint kept by {checkpoint.kept_by} "
                f"(hash {checkpoint.hash[:16]}…)")
    return None


async def latest_checkpoints(session: AsyncSession, table: Table, kept_by: str) -> dict[str, Checkpoint]:
    """The latest checkpoint of each chain kept in one service's database."""
    latest = (select(table.c.chain, func.max(table.c.seq).label("seq")).group_by(table.c.chain).subquery())
    rows = (await session.execute(select(table).join(
        latest, (table.c.chain == latest.c.chain) & (table.c.seq == latest.c.seq)))).all()
    return {r.chain: Checkpoint(str(r.chain), int(r.seq), str(r.hash), kept_by, str(r.checkpointed_at))
            for r in rows}


async def count(session: AsyncSession, table: Table) -> int:
    """How many audit records a service holds."""
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())
