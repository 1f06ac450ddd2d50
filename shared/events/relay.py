"""The outbox relay: publishes committed events in order, marks them sent; never loses or forges one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import LargeBinary, func, literal_column, select, text, type_coerce, update

from shared import audit as audit_chain
from shared.audit_watch import verify_and_record
from shared.context import ServiceContext
from shared.events.envelope import AUDIT_CHECKPOINT_TOPIC
from shared.events.transport import EventSink, OutgoingMessage
from shared.logging import get_logger
from shared.metrics import EVENTS_PUBLISH_FAILED, EVENTS_PUBLISHED, OUTBOX_OLDEST_AGE, OUTBOX_PENDING
from shared.timestamps import as_utc
from shared.uow import OUTBOX_CHANNEL, unit_of_work

log = get_logger(__name__)

# CloudEvents Kafka protocol binding, structured content mode: the whole event is the value, and the content-type
# header names the event format (one header, the same for every message)
STRUCTURED_MODE = {"content-type": "application/cloudevents+json; charset=UTF-8"}
# an idle SQLite relay whose database files have not changed skips its looks, but looks for real at least this often
# (a commit from another process within the same mtime tick, with the log's size unchanged, is not missed for longer)
QUIET_LOOK_SECONDS = 30.0


def _as_bytes(payload: Any) -> Any:
    """The payload column as UTF-8 bytes, converted by PostgreSQL (no str round trip in Python)."""
    return type_coerce(func.convert_to(payload, literal_column("'UTF8'")), LargeBinary).label("value")


class Relay:
    """Moves a service's outbox to the event transport.

    In PostgreSQL each batch runs under a transaction-scoped advisory lock and claims its rows with
    FOR UPDATE SKIP LOCKED: two relays over one outbox never publish the same row, and one key's events
    leave in commit order. A killed relay's locks die with its connection; its unmarked rows go again
    (the consumers' idempotency absorbs the duplicates).
    """

    def __init__(self, ctx: ServiceContext, sink: EventSink, *, batch_size: int = 200,
                 idle_seconds: float = 0.05, max_idle_seconds: float = 1.0, max_backoff: float = 5.0,
                 checkpoint_seconds: float = 60.0, verify_seconds: float = 900.0) -> None:
        self.ctx = ctx
        self.sink = sink
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.max_idle_seconds = max(idle_seconds, max_idle_seconds)
        self.max_backoff = max_backoff
        self.checkpoint_seconds = checkpoint_seconds
        # the chain is recomputed whenever its head moved; while it stays put (idle), only every verify_seconds
        self.verify_seconds = max(checkpoint_seconds, verify_seconds)
        self._last_checkpoint: tuple[int, str] | None = None
        self._postgres = ctx.engine.dialect.name == "postgresql"
        database = None if self._postgres else ctx.engine.url.database
        # SQLite: the database file and its write-ahead log, whose size and mtime change with every commit
        self._files = (database, f"{database}-wal") if database and database != ":memory:" else ()

    def files_stamp(self) -> tuple[tuple[int, int], ...] | None:
        """(mtime, size) of the SQLite database's files; None where there are none to watch (PostgreSQL, memory).
        A commit from any process changes it, so an idle relay that finds it unchanged since a look that found
        nothing has nothing to publish, and need not open a transaction to see that."""
        if not self._files:
            return None
        stamp = []
        for path in self._files:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                stamp.append((0, -1))
                continue
            stamp.append((st.st_mtime_ns, st.st_size))
        return tuple(stamp)

    async def publish_batch(self) -> int:
        """Publish one batch; returns how many rows were published (0 when idle or another relay holds the lock)."""
        t = self.ctx.tables.outbox
        async with self.ctx.sessions() as session, session.begin():
            if self._postgres:
                got = (await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"),
                                             {"k": f"outbox-relay:{self.ctx.service}"})).scalar_one()
                if not got:
                    return 0
            oldest = select(t.c.seq).where(t.c.sent_at.is_(None)).order_by(t.c.seq).limit(self.batch_size)
            marked = dict(sent_at=datetime.now(UTC), attempts=t.c.attempts + 1)
            if self._postgres:
                # claim and mark in one statement: rows another relay holds are skipped; nothing is visible to
                # others before the commit, which comes only after the broker acknowledged every message. The
                # database orders the claimed rows and hands over each payload as the UTF-8 bytes to publish.
                claimed = (update(t).where(t.c.seq.in_(oldest.with_for_update(skip_locked=True).scalar_subquery()))
                           .values(**marked).returning(t.c.seq, t.c.topic, t.c.key, _as_bytes(t.c.payload))
                           .cte("claimed"))
                rows: Sequence[Any] = (await session.execute(select(claimed).order_by(claimed.c.seq))).all()
            else:
                rows = (await session.execute(select(t.c.seq, t.c.topic, t.c.key, t.c.payload)
                                              .where(t.c.seq.in_(oldest.scalar_subquery())).order_by(t.c.seq))).all()
                rows = [(r.seq, r.topic, r.key, r.payload.encode("utf-8")) for r in rows]
            if not rows:
                return 0
            messages = [OutgoingMessage(topic, key, value, STRUCTURED_MODE) for _, topic, key, value in rows]
            await self.sink.publish(messages)
            if not self._postgres:
                await session.execute(update(t).where(t.c.seq.in_([r[0] for r in rows])).values(**marked))
        for topic, n in Counter(m.topic for m in messages).items():
            EVENTS_PUBLISHED.labels(self.ctx.service, topic).inc(n)
        return len(rows)

    async def _note_failure(self, error: str) -> None:
        t = self.ctx.tables.outbox
        try:
            async with self.ctx.sessions() as session, session.begin():
                first = (await session.execute(select(func.min(t.c.seq)).where(t.c.sent_at.is_(None)))).scalar()
                if first is not None:
                    await session.execute(update(t).where(t.c.seq == first).values(
                        attempts=t.c.attempts + 1, last_error=error[:2000]))
        except Exception as exc:  # the database may be what failed; the loop retries anyway
            log.warning("relay_failure_not_recorded", error=repr(exc))

    async def pending(self) -> tuple[int, float]:
        """Unpublished rows and the age in seconds of the oldest one."""
        t = self.ctx.tables.outbox
        async with self.ctx.sessions() as session:
            n, oldest = (await session.execute(
                select(func.count(), func.min(t.c.created_at)).where(t.c.sent_at.is_(None)))).one()
        age = 0.0
        if oldest is not None:
            oldest = as_utc(oldest)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        return int(n), age

    async def refresh_gauges(self) -> None:
        n, age = await self.pending()
        OUTBOX_PENDING.labels(self.ctx.service).set(n)
        OUTBOX_OLDEST_AGE.labels(self.ctx.service).set(age)

    async def checkpoint(self) -> bool:
        """Publish the audit chain's head when it moved, so an outside auditor can hold the service to it (on the
        checkpoint topic, which the other services' keepers read)."""
        async with self.ctx.sessions() as session:
            seq, h = await audit_chain.head(session, self.ctx.tables.audit, self.ctx.service)
        if seq == 0 or (seq, h) == self._last_checkpoint:
            return False
        async with unit_of_work(self.ctx) as uow:
            uow.emit("AuditCheckpointed", subject=f"audit:{self.ctx.service}", topic=AUDIT_CHECKPOINT_TOPIC, data={
                "chain": self.ctx.service, "seq": seq, "hash": h,
                "checkpointed_at": datetime.now(UTC).isoformat()})
        self._last_checkpoint = (seq, h)
        return True

    async def _listen(self) -> Any:
        """PostgreSQL: a connection of its own LISTENing to the outbox's NOTIFY (sent by the unit of work in the
        statement that adds outbox rows), which sets the wake-up flag, whichever process committed; None when it
        could not be opened (the relay then only polls, at its idle back-off)."""
        import asyncpg

        url = self.ctx.engine.url.set(drivername="postgresql")
        try:
            conn = await asyncpg.connect(url.render_as_string(hide_password=False))
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self.ctx.outbox_committed.set())
        except Exception as exc:
            log.warning("relay_listen_failed", service=self.ctx.service, error=repr(exc))
            return None
        return conn

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until stopped. Idle, the relay waits for a commit's wake-up (in this process: the unit of work;
        from any process on PostgreSQL: NOTIFY), backing off exponentially from idle_seconds to max_idle_seconds
        between looks of its own; it backs off too while the transport or database is down. On SQLite a look of
        its own is skipped while the database's files are as they were at a look that found nothing
        (``files_stamp``), but made at least every QUIET_LOOK_SECONDS."""
        wake = self.ctx.outbox_committed
        stop_watch = asyncio.ensure_future(stop.wait())
        stop_watch.add_done_callback(lambda _: wake.set())
        listener: Any = None
        last_listen = -1e9
        backoff = idle = 0.0
        timed_out, nothing_at, looked_at = False, None, -1e9
        last_gauges = last_checkpoint = last_verify = -1e9
        gauges_stale = True
        try:
            while not stop.is_set():
                if self._postgres and (listener is None or listener.is_closed()) \
                        and time.monotonic() - last_listen > 10.0:
                    last_listen = time.monotonic()
                    listener = await self._listen()
                try:
                    wake.clear()  # before looking: a commit from now on is seen by this look or wakes the next wait
                    stamp = self.files_stamp()  # before looking too: a commit during the look changes it
                    if timed_out and stamp is not None and stamp == nothing_at \
                            and time.monotonic() - looked_at < QUIET_LOOK_SECONDS:
                        n = 0  # idle, and nothing was committed since a look found nothing: no transaction
                    else:
                        n = await self.publish_batch()
                        looked_at = time.monotonic()
                    nothing_at = None if n else stamp
                    backoff = 0.0
                    gauges_stale = gauges_stale or n > 0
                    now = time.monotonic()
                    # while busy at most every second; once the outbox is drained, at once; idle, every 15 s
                    due = (1.0 if n else 0.0) if gauges_stale else 15.0
                    if now - last_gauges > due:
                        await self.refresh_gauges()
                        last_gauges, gauges_stale = now, False
                    if now - last_checkpoint > self.checkpoint_seconds:
                        moved = await self.checkpoint()
                        if moved or now - last_verify > self.verify_seconds:
                            await verify_and_record(self.ctx)
                            last_verify = now
                        last_checkpoint = now
                    if n:
                        idle = 0.0
                    else:
                        idle = min(self.max_idle_seconds, max(self.idle_seconds, idle * 2))
                        timed_out = not await wake.wait(idle)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    EVENTS_PUBLISH_FAILED.labels(self.ctx.service).inc()
                    backoff = min(self.max_backoff, max(0.2, backoff * 2))
                    timed_out = False  # after a failure, look again whatever the files say
                    log.warning("relay_publish_failed", service=self.ctx.service, error=repr(exc), retry_in=backoff)
                    await self._note_failure(repr(exc))
                    await _sleep(stop, backoff)
        finally:
            stop_watch.cancel()
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close(timeout=2)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
