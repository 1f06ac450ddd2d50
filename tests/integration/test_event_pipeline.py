"""Two transports, one contract: the same tests pass on the embedded log and on real Kafka + PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.events.envelope import CloudEvent, dlq_of
from shared.events.relay import Relay
from shared.events.transport import OutgoingMessage
from shared.uow import unit_of_work
from tests.support.pipeline import Pipeline, make_pipeline, unique_topic

pytestmark = pytest.mark.integration


@pytest.fixture(params=["embedded", "kafka"])
async def pipe(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Pipeline]:
    p = await make_pipeline(request.param, tmp_path)
    yield p
    await p.ctx.dispose()


def ping(topic: str, key: str, n: int, pad: str = "") -> OutgoingMessage:
    e = CloudEvent(type="TestPinged", source="/cadreflow/registration", subject=key, data={"key": key, "n": n,
                                                                                         "pad": pad})
    return OutgoingMessage(topic, key, e.to_json().encode(), {"ce_type": e.type})


async def drain(consumer, until, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await until():
        assert asyncio.get_running_loop().time() < deadline, "consumer did not catch up in time"
        await consumer.run_once(timeout=0.5)


async def test_per_key_order_and_resume_after_commit(pipe: Pipeline) -> None:
    topic = unique_topic()
    sink = pipe.sink()
    await sink.publish([ping(topic, f"k{i % 7}", i) for i in range(140)])
    source = pipe.source(f"g1-{topic}", [topic])
    seen: list[tuple[str | None, int]] = []
    for _ in range(60):
        batch = await source.poll(timeout=1.0, max_records=50)
        seen += [(m.key, CloudEvent.from_json(m.value).data["n"]) for m in batch]
        if batch:
            # commit only what was read in the first batch, then stop: the rest must come again
            await source.commit({(m.topic, m.partition): m.offset + 1 for m in batch})
            break
    first = len(seen)
    assert first > 0
    await source.close()
    again = pipe.source(f"g1-{topic}", [topic])
    for _ in range(60):
        batch = await again.poll(timeout=1.0, max_records=500)
        seen += [(m.key, CloudEvent.from_json(m.value).data["n"]) for m in batch]
        if len(seen) >= 140:
            break
    await again.close()
    assert sorted(n for _, n in seen) == list(range(140)), "each message exactly once across the resume"
    for k in {k for k, _ in seen}:
        ns = [n for kk, n in seen if kk == k]
        assert ns == sorted(ns), f"key {k} out of order"
    await sink.close()


async def test_outbox_relay_consumer_exactly_one_effect_each(pipe: Pipeline) -> None:
    topic = unique_topic()
    for n in range(30):
        async with unit_of_work(pipe.ctx) as uow:
            uow.emit("TestPinged", subject=f"key{n % 3}", data={"key": f"key{n % 3}", "n": n}, topic=topic)
    sink = pipe.sink()
    relay = Relay(pipe.ctx, sink, batch_size=7)
    while await relay.publish_batch():
        pass
    assert (await relay.pending())[0] == 0
    # a duplicate delivery (e.g. a relay killed after publishing, before marking): re-publish the first 10 rows
    from sqlalchemy import select

    t = pipe.ctx.tables.outbox
    async with pipe.ctx.sessions() as s:
        rows = (await s.execute(select(t.c.topic, t.c.key, t.c.payload).where(t.c.topic == topic)
                                .order_by(t.c.seq).limit(10))).all()
    await sink.publish([OutgoingMessage(r.topic, r.key, r.payload.encode()) for r in rows])
    consumer = pipe.consumer(f"effects-{topic}", topic)

    async def done() -> bool:
        return len(await pipe.effects()) >= 30

    await drain(consumer, done)
    for _ in range(5):  # let the duplicates arrive too
        await consumer.run_once(timeout=0.5)
    await consumer.close()
    effects = await pipe.effects()
    assert sorted(n for _, n, _ in effects) == list(range(30))
    for k in ("key0", "key1", "key2"):
        ns = [n for kk, n, _ in effects if kk == k]
        assert ns == sorted(ns)
    await sink.close()


async def test_poison_goes_to_dlq_and_the_next_message_is_processed(pipe: Pipeline) -> None:
    topic = unique_topic()
    sink = pipe.sink()
    bad_json = OutgoingMessage(topic, "k", b"{not json", {"origin": "test"})
    await sink.publish([ping(topic, "k", 1), bad_json, ping(topic, "k", 2, pad="poison"), ping(topic, "k", 3)])
    consumer = pipe.consumer(f"effects-{topic}", topic)

    async def done() -> bool:
        return len(await pipe.effects()) >= 2

    await drain(consumer, done)
    await consumer.close()
    assert sorted(n for _, n, _ in await pipe.effects()) == [1, 3]
    dlq = pipe.source(f"dlq-reader-{topic}", [dlq_of(topic)])
    letters = []
    for _ in range(30):
        letters += await dlq.poll(timeout=1.0, max_records=10)
        if len(letters) >= 2:
            break
    await dlq.close()
    assert len(letters) == 2
    assert letters[0].value == b"{not json" and "undecodable" in letters[0].headers["dlq_error"]
    assert letters[0].headers["origin"] == "test", "original headers travel with the dead letter"
    assert "poison" in letters[1].headers["dlq_error"]
    assert letters[1].headers["dlq_original_topic"] == topic
    await sink.close()


async def test_handler_failing_every_time_is_dead_lettered_after_retries(pipe: Pipeline) -> None:
    topic = unique_topic()
    sink = pipe.sink()
    await sink.publish([ping(topic, "k", 1)])
    calls = 0

    async def always_fails(event: CloudEvent) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("database said no")

    consumer = pipe.consumer(f"failing-{topic}", topic, handler=always_fails, max_retries=2)

    async def done() -> bool:
        return calls >= 3

    await drain(consumer, done)
    assert calls == 3, "one try and two retries"
    lag = await consumer._source.lag() if consumer._source else {}
    assert sum(lag.values()) == 0, "offset committed after dead-lettering"
    await consumer.close()
    await sink.close()
