"""The unit of work: owns the commit, and writes state, outbox events and audit records in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, bindparam, insert, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from shared import audit as audit_chain
from shared.context import ServiceContext
from shared.events import contract
from shared.events.envelope import CloudEvent
from shared.metrics import AUDIT_RECORDS, DOMAIN_EVENTS

# PostgreSQL statements over shared.tables' processed_events and outbox, with one array per column: one plan
# whatever the number of rows, and no per-row parameters to prepare in Python
_CLAIM_FROM_ARRAY = text(
    "INSERT INTO processed_events (consumer_group, event_id, processed_at) "
    "SELECT :group, u.id, :now FROM unnest(CAST(:ids AS VARCHAR[])) AS u(id) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
).bindparams(bindparam("ids", type_=ARRAY(String)), bindparam("now", type_=DateTime(timezone=True)))
# ... and, in the same statement (no extra round trip), a NOTIFY that PostgreSQL delivers on commit to the relays
# LISTENing on this database, wherever they run: an idle relay sleeps long and still publishes at once
OUTBOX_CHANNEL = "cadre_outbox"
_OUTBOX_FROM_ARRAYS = text(
    "WITH added AS (INSERT INTO outbox (event_id, topic, key, event_type, payload, created_at, attempts) "
    "SELECT u.e, u.t, u.k, u.y, u.p, :now, 0 FROM unnest(CAST(:ids AS VARCHAR[]), CAST(:topics AS VARCHAR[]), "
    "CAST(:keys AS VARCHAR[]), CAST(:types AS VARCHAR[]), CAST(:payloads AS TEXT[])) WITH ORDINALITY "
    "AS u(e, t, k, y, p, o) ORDER BY u.o)"  # seq in emission order
    f" SELECT pg_notify('{OUTBOX_CHANNEL}', '')"
).bindparams(bindparam("now", type_=DateTime(timezone=True)))


class PendingAudit:
    """An audit record queued in a unit of work; ``record`` is its link of the chain once the unit has committed."""

    def __init__(self, entry: audit_chain.AuditEntry) -> None:
        self.entry = entry
        self._record: audit_chain.AuditRecord | None = None

    @property
    def record(self) -> audit_chain.AuditRecord:
        if self._record is None:
            raise RuntimeError("an audit record is linked to the chain when its unit of work commits")
        return self._record

    @record.setter
    def record(self, value: audit_chain.AuditRecord) -> None:
        self._record = value


class UnitOfWork:
    """One transaction of one service: nothing else commits."""

    def __init__(self, ctx: ServiceContext, session: AsyncSession) -> None:
        self.ctx = ctx
        self.session = session
        # events in emission order; an audit record's AuditRecorded event holds its place until the record is linked
        self._events: list[tuple[CloudEvent, str, str, str] | PendingAudit] = []

    def emit(self, event_type: str, *, subject: str, data: dict[str, Any], key: str | None = None,
             workflow_id: str | None = None, topic: str | None = None) -> CloudEvent:
        """Queue an event for the outbox; it is written in this transaction or not at all. It is checked against
        its contract and serialised here, so what is published is what was checked, whatever happens to `data`
        afterwards."""
        queued = self._queued(event_type, subject=subject, data=data, key=key or subject, workflow_id=workflow_id,
                              topic=topic or self.ctx.topic)
        self._events.append(queued)
        return queued[0]

    def _queued(self, event_type: str, *, subject: str, data: dict[str, Any], key: str, workflow_id: str | None,
                topic: str) -> tuple[CloudEvent, str, str, str]:
        event = CloudEvent(type=event_type, source=self.ctx.source, subject=subject, data=data,
                           workflowid=workflow_id)
        contract.check_new(event)
        return event, topic, key, event.to_json()

    def _pending(self) -> list[PendingAudit]:
        return [e for e in self._events if isinstance(e, PendingAudit)]

    def audit(self, entry: audit_chain.AuditEntry) -> PendingAudit:
        """Append a decision to this service's chain when the unit commits, and publish it as an event too.

        The records are linked to the chain's head at the end of the unit, after its other statements: the chain's
        lock (PostgreSQL: an advisory lock held to the commit) is held for the head's read and one INSERT, not for
        the whole unit, so concurrent decisions of one service queue only for that moment."""
        pending = PendingAudit(entry)
        self._events.append(pending)
        return pending

    async def claim_events(self, group: str, event_ids: list[str]) -> set[str]:
        """Record these events as handled by a consumer group in this transaction; return the ones that were not
        handled before (their effect is to happen now). One statement: the primary key decides, not a lookup
        whose plan could go stale while the table grows."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return set()
        t = self.ctx.tables.processed
        now = datetime.now(UTC)
        if self.ctx.engine.dialect.name == "postgresql":  # the ids as one array: one plan for any batch size
            rows = await self.session.execute(_CLAIM_FROM_ARRAY, {"group": group, "ids": ids, "now": now})
        else:
            statement = sqlite.insert(t).on_conflict_do_nothing().returning(t.c.event_id)
            rows = await self.session.execute(statement, [
                {"consumer_group": group, "event_id": e, "processed_at": now} for e in ids])
        return set(rows.scalars().all())

    async def _flush_records(self) -> None:
        pending_records = self._pending()
        if not pending_records:
            return
        await self.session.flush()  # the unit's own changes first, outside the chain's lock
        seq, prev = await audit_chain.locked_head(self.session, self.ctx.tables.audit, self.ctx.service)
        rows = []
        for pending in pending_records:
            rec, row = audit_chain.link(self.ctx.service, seq, prev, pending.entry)
            seq, prev = rec.seq, rec.hash
            pending.record = rec
            rows.append(row)
        await self.session.execute(insert(self.ctx.tables.audit), rows)

    def _recorded_event(self, pending: PendingAudit) -> tuple[CloudEvent, str, str, str]:
        rec, entry = pending.record, pending.entry
        return self._queued("AuditRecorded", subject=entry.subject, key=f"audit:{self.ctx.service}",
                            workflow_id=None, topic=self.ctx.topic, data={
            "chain": rec.chain, "seq": rec.seq, "record_id": rec.record_id, "action": entry.action,
            "subject": entry.subject, "actor": rec.body["actor"], "reason_vi": entry.reason_vi,
            "reason_en": entry.reason_en, "policy_version": entry.policy_version,
            "workflow_id": entry.workflow_id, "run_id": entry.run_id, "inputs_digest": rec.body["inputs_digest"],
            "hash": rec.hash, "prev_hash": rec.prev_hash, "recorded_at": rec.recorded_at,
        })

    async def _flush_events(self) -> None:
        if not self._events:
            return
        events = [self._recorded_event(e) if isinstance(e, PendingAudit) else e for e in self._events]
        now = datetime.now(UTC)
        if self.ctx.engine.dialect.name == "postgresql":  # one array per column: one plan for any number of events
            await self.session.execute(_OUTBOX_FROM_ARRAYS, {
                "ids": [e.id for e, _, _, _ in events], "topics": [t for _, t, _, _ in events],
                "keys": [k for _, _, k, _ in events], "types": [e.type for e, _, _, _ in events],
                "payloads": [p for _, _, _, p in events], "now": now})
            return
        await self.session.execute(insert(self.ctx.tables.outbox), [
            {"event_id": e.id, "topic": topic, "key": key, "event_type": e.type, "payload": payload,
             "created_at": now, "attempts": 0}
            for e, topic, key, payload in events
        ])

    def _count(self) -> None:
        types = ["AuditRecorded" if isinstance(e, PendingAudit) else e[0].type for e in self._events]
        for event_type, n in Counter(types).items():
            DOMAIN_EVENTS.labels(self.ctx.service, event_type).inc(n)
        for pending in self._pending():
            AUDIT_RECORDS.labels(self.ctx.service, pending.entry.action).inc()


@asynccontextmanager
async def unit_of_work(ctx: ServiceContext) -> AsyncIterator[UnitOfWork]:
    """Open a transaction; commit state, events and audit together on success, roll all back on error."""
    async with ctx.sessions() as session, session.begin():
        uow = UnitOfWork(ctx, session)
        yield uow
        await uow._flush_records()
        await uow._flush_events()
    if uow._events:
        ctx.outbox_committed.set()
    uow._count()
