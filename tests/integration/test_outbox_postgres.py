"""PostgreSQL-specific guarantees: two relays never publish the same row, and the audit table is append-only."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from kafka import KafkaConsumer
from sqlalchemy import text

from shared import audit
from shared.audit import Actor, AuditEntry
from shared.events.envelope import CloudEvent
from shared.events.relay import Relay
from shared.uow import unit_of_work
from tests.support import infra
from tests.support.pipeline import Pipeline, make_pipeline, unique_topic
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture
async def pipe(tmp_path: Path) -> AsyncIterator[Pipeline]:
    p = await make_pipeline("kafka", tmp_path)
    yield p
    await p.ctx.dispose()


def read_topic(topic: str, expected: int, timeout: float = 60) -> list[CloudEvent]:
    consumer = KafkaConsumer(topic, bootstrap_servers=infra.kafka_bootstrap(), group_id=f"read-{uuid.uuid4().hex}",
                             auto_offset_reset="earliest", enable_auto_commit=False, metadata_max_age_ms=2000)
    out: list[CloudEvent] = []
    loop_deadline = time.monotonic() + timeout
    try:
        while len(out) < expected and time.monotonic() < loop_deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                out += [CloudEvent.from_json(r.value) for r in records]
        for records in consumer.poll(timeout_ms=2000).values():  # anything beyond the expected count
            out += [CloudEvent.from_json(r.value) for r in records]
    finally:
        consumer.close()
    return out


async def test_two_relays_never_publish_the_same_row(pipe: Pipeline) -> None:
    topic = unique_topic()
    for batch in range(10):
        async with unit_of_work(pipe.ctx) as uow:
            for i in range(50):
                n = batch * 50 + i
                uow.emit("TestPinged", subject=f"k{n % 5}", data={"key": f"k{n % 5}", "n": n}, topic=topic)
    relays = [Relay(pipe.ctx, pipe.sink(), batch_size=20) for _ in range(2)]
    published = [0, 0]

    async def run(i: int) -> None:
        idle = 0
        while idle < 20:
            n = await relays[i].publish_batch()
            published[i] += n
            idle = idle + 1 if n == 0 else 0
            await asyncio.sleep(0)

    await asyncio.gather(run(0), run(1))
    assert sum(published) == 500
    events = await asyncio.to_thread(read_topic, topic, 500)
    ns = [e.data["n"] for e in events]
    assert len(ns) == 500 and sorted(ns) == list(range(500)), "every row published exactly once"
    for k in range(5):
        per_key = [e.data["n"] for e in events if e.data["key"] == f"k{k}"]
        assert per_key == sorted(per_key), "one key's events stay in commit order"
    for r in relays:
        await r.sink.close()


async def test_audit_log_refuses_update_and_delete(pipe: Pipeline) -> None:
    async with unit_of_work(pipe.ctx) as uow:
        uow.audit(AuditEntry(actor=Actor("btc.a", "organization_board"), action="unit.create",
                             subject="unit:X", reason_vi="Tạo đơn vị", reason_en="Unit created"))
    dsn = pipe.settings.db_url("registration").replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in ("UPDATE audit_log SET action='x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)


async def test_the_chain_lock_is_held_only_while_the_records_are_written(pipe: Pipeline) -> None:
    """A unit of work that has audited a decision and is still busy does not hold up another unit's audited
    decision: the chain is locked from the head's read to the commit only. On the code that locked it at the first
    `audit` call, the second unit waited for the first to commit, and this test timed out."""
    def entry(n: int) -> AuditEntry:
        return AuditEntry(actor=Actor("btc.a", "organization_board"), action="registration.approve",
                          subject=f"registration:{n}", reason_vi="Duyệt", reason_en="Approved")

    second_done = asyncio.Event()

    async def first() -> None:
        async with unit_of_work(pipe.ctx) as uow:
            uow.audit(entry(1))
            await uow.session.execute(text("SELECT 1"))  # the unit's transaction is open and has done work
            await asyncio.wait_for(second_done.wait(), timeout=20)  # still busy while the other unit commits

    async def second() -> None:
        await asyncio.sleep(0.2)
        async with unit_of_work(pipe.ctx) as uow:
            uow.audit(entry(2))
        second_done.set()

    await asyncio.gather(first(), second())
    async with pipe.ctx.sessions() as s:
        [result] = await audit.verify(s, pipe.ctx.tables.audit)
        order = (await s.execute(text("SELECT subject FROM audit_log ORDER BY seq"))).scalars().all()
    assert result.ok and result.records == 2
    assert order == ["registration:2", "registration:1"], "the unit that committed first is linked first"


def test_cadre_audit_verify_names_the_tampered_record(tmp_path: Path) -> None:
    template = infra.new_database_template()
    stack = Stack.distributed(database_url=template, kafka=infra.kafka_bootstrap(), temporal=infra.temporal_address(),
                              log_dir=tmp_path)
    assert stack.cadre("migrate").returncode == 0

    async def write() -> None:
        p = await make_pipeline("kafka", tmp_path, database_url=template)
        for i in range(1, 6):
            async with unit_of_work(p.ctx) as uow:
                uow.audit(AuditEntry(actor=Actor("btc.a", "organization_board"), action="registration.approve",
                                     subject=f"registration:{i}", reason_vi="Duyệt", reason_en="Approved"))
        await p.ctx.dispose()

    asyncio.run(write())
    clean = stack.cadre("audit", "verify", "registration")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "OK — 5 records" in clean.stdout
    dsn = template.format(service="registration").replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        conn.execute("UPDATE audit_log SET body = replace(body, 'Duyệt', 'Từ chối') WHERE seq = 4")
        conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        record_id = conn.execute("SELECT record_id FROM audit_log WHERE seq = 4").fetchone()[0]
    broken = stack.cadre("audit", "verify", "registration")
    assert broken.returncode == 1
    assert "BROKEN at seq 4" in broken.stdout and record_id in broken.stdout
