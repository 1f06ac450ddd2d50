"""An idle pipeline costs next to nothing and still starts at once: the relay and the consumers back off while
nothing happens (few queries a second, counted), and a commit wakes them (published in well under 200 ms after
the relay backed off to its longest sleep) — on both transports, and from another process's commit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from services.registration.models import INFRA, metadata
from shared.context import ServiceContext, build_context
from shared.events.embedded_log import EmbeddedLog, EmbeddedSink
from shared.events.relay import Relay
from shared.events.transport import EventSink, OutgoingMessage
from shared.uow import unit_of_work
from tests.integration.test_event_pipeline import ping
from tests.support.pipeline import Pipeline, make_pipeline, unique_topic

pytestmark = pytest.mark.integration


@pytest.fixture(params=["embedded", "kafka"])
async def pipe(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Pipeline]:
    p = await make_pipeline(request.param, tmp_path)
    yield p
    await p.ctx.dispose()


class TimedSink:
    """A sink that notes when each batch was handed to it."""

    def __init__(self, inner: EventSink) -> None:
        self.inner = inner
        self.published: list[float] = []

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        await self.inner.publish(messages)
        self.published.append(time.monotonic())

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


def count_statements(ctx: ServiceContext) -> list[str]:
    seen: list[str] = []

    @event.listens_for(ctx.engine.sync_engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    return seen


async def emit(ctx: ServiceContext, topic: str) -> float:
    async with unit_of_work(ctx) as uow:
        uow.emit("TestPinged", subject="k", data={"key": "k", "n": 1}, topic=topic)
    return time.monotonic()


async def publish_lag(sink: TimedSink, writer: ServiceContext, topic: str) -> float:
    """Commit one event through `writer`; seconds until the relay handed it to the sink (fails after 5 s)."""
    before = len(sink.published)
    committed = await emit(writer, topic)
    deadline = time.monotonic() + 5
    while len(sink.published) == before and time.monotonic() < deadline:
        await asyncio.sleep(0.002)
    assert len(sink.published) > before, "the relay never published the new event"
    return sink.published[-1] - committed


# embedded: every writer of a service's outbox is the service's own process, so "another process" is PostgreSQL's case
@pytest.mark.parametrize(("pipe", "writer"), [("embedded", "this process"), ("kafka", "this process"),
                                              ("kafka", "another process")], indirect=["pipe"])
async def test_an_idle_relay_publishes_a_new_event_at_once(pipe: Pipeline, writer: str) -> None:
    topic = unique_topic()
    sink = TimedSink(pipe.sink())
    relay = Relay(pipe.ctx, sink, idle_seconds=0.02, max_idle_seconds=2.0)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    # a writer with its own engine and wake-up flag stands for another process (on PostgreSQL: NOTIFY wakes it)
    other = pipe.ctx if writer == "this process" else build_context(
        "registration", pipe.settings, metadata, INFRA, url=pipe.settings.db_url("registration"))
    try:
        await emit(pipe.ctx, topic)  # the topic's first publish (Kafka creates it) is not what is measured
        while not sink.published:
            await asyncio.sleep(0.05)
        await asyncio.sleep(4.5)  # 0.02 doubling to 2 s: the relay now sleeps its longest
        lags = []
        for _ in range(3):
            lags.append(await publish_lag(sink, other, topic))
            await asyncio.sleep(2.5)
        assert max(lags) < 0.2, f"published {[round(x * 1000) for x in lags]} ms after the commit"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        if other is not pipe.ctx:
            await other.dispose()


async def test_an_idle_relay_queries_rarely(pipe: Pipeline) -> None:
    relay = Relay(pipe.ctx, pipe.sink(), idle_seconds=0.02, max_idle_seconds=1.0)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(3.0)  # backed off to its longest sleep (and the start-up checkpoint is done)
        statements = count_statements(pipe.ctx)
        await asyncio.sleep(4.0)
        # at most one look a second (two statements each) — the relay used to look 50 times a second
        assert len(statements) <= 12, statements
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_an_idle_embedded_consumer_reads_rarely_and_wakes_on_a_commit(tmp_path: Path) -> None:
    pipe = await make_pipeline("embedded", tmp_path)
    topic = unique_topic()
    other = EmbeddedSink(EmbeddedLog(pipe.settings.event_log_path))  # another process's relay, as far as it knows
    await other.publish([ping(topic, "k", 0)])
    consumer = pipe.consumer(f"idle-{topic}", topic)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        deadline = time.monotonic() + 10
        while len(await pipe.effects()) < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await asyncio.sleep(3.0)
        source: Any = consumer._source
        reads = source.reads
        await asyncio.sleep(4.0)
        assert source.reads - reads <= 4, f"{source.reads - reads} reads of the log in 4 s of idleness"
        lags = []
        for n in (1, 2, 3):
            t0 = time.monotonic()
            await other.publish([ping(topic, "k", n)])
            while len(await pipe.effects()) < n + 1:
                assert time.monotonic() < t0 + 5, "the consumer never handled the new event"
                await asyncio.sleep(0.005)
            lags.append(time.monotonic() - t0)
            await asyncio.sleep(2.5)
        assert max(lags) < 0.2, f"handled {[round(x * 1000) for x in lags]} ms after the append"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await other.close()
        await pipe.ctx.dispose()


async def test_a_consumer_started_on_an_empty_topic_waits_without_failing(tmp_path: Path) -> None:
    """Its first look finds nothing: it must wait for the log (it used to fail that look, reopen the log and retry,
    backing off to 5 s, over and over for as long as nothing came — the idle cost of every quiet consumer group)."""
    pipe = await make_pipeline("embedded", tmp_path)
    topic = unique_topic()
    other = EmbeddedSink(EmbeddedLog(pipe.settings.event_log_path))
    await other.publish([ping(unique_topic(), "k", 0)])  # the log exists; this group's topic stays empty
    consumer = pipe.consumer(f"empty-{topic}", topic)
    first = await consumer.run_once(timeout=0.3)  # raised AssertionError before
    assert first == 0
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        source: Any = consumer._source
        await asyncio.sleep(5.0)  # backing off: 0.05 s doubling (inotify tells it of every write meanwhile)
        reads = source.reads
        await asyncio.sleep(5.0)
        assert consumer._source is source, "the consumer reopened its source: a poll failed"
        assert source.reads - reads <= 2, f"{source.reads - reads} reads of the log in 5 s of idleness"
        t0 = time.monotonic()
        await other.publish([ping(topic, "k", 1)])
        while len(await pipe.effects()) < 1:
            assert time.monotonic() < t0 + 5, "the consumer never handled the new event"
            await asyncio.sleep(0.005)
        assert time.monotonic() - t0 < 0.2
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await other.close()
        await pipe.ctx.dispose()


async def test_an_idle_embedded_consumer_waits_in_one_long_poll_and_stops_at_once(tmp_path: Path) -> None:
    """On the embedded log a consumer waits up to `idle_poll_seconds` in one poll (a write wakes it at once), so an
    idle group wakes its process rarely; a stop ends that wait at once instead of after it."""
    pipe = await make_pipeline("embedded", tmp_path)
    topic = unique_topic()
    other = EmbeddedSink(EmbeddedLog(pipe.settings.event_log_path))
    await other.publish([ping(topic, "k", 0)])
    consumer = pipe.consumer(f"long-{topic}", topic)
    stop = asyncio.Event()
    polls = 0
    task = asyncio.create_task(consumer.run(stop))
    try:
        deadline = time.monotonic() + 10
        while len(await pipe.effects()) < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        source: Any = consumer._source
        assert source.idle_poll_seconds >= 5
        inner_poll = source.poll

        async def counted(**kwargs: Any) -> Any:
            nonlocal polls
            polls += 1
            return await inner_poll(**kwargs)

        source.poll = counted
        await asyncio.sleep(3.0)
        assert polls <= 1, f"{polls} polls in 3 s of idleness"
        t0 = time.monotonic()
        await other.publish([ping(topic, "k", 1)])
        while len(await pipe.effects()) < 2:
            assert time.monotonic() < t0 + 5, "the consumer never handled the new event"
            await asyncio.sleep(0.005)
        assert time.monotonic() - t0 < 0.2
        await asyncio.sleep(1.0)  # waiting again, in a long poll
        t0 = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 10)
        assert time.monotonic() - t0 < 0.5, "the stop waited for the poll to time out"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await other.close()
        await pipe.ctx.dispose()


@pytest.mark.parametrize("pipe", ["embedded"], indirect=True)
async def test_an_idle_sqlite_relay_opens_no_transaction_while_its_files_stay_put(pipe: Pipeline) -> None:
    """SQLite: a look that would find nothing is skipped while the database's files have not changed since a look
    that found nothing (the relay's share of an idle stack's CPU)."""
    relay = Relay(pipe.ctx, pipe.sink(), idle_seconds=0.02, max_idle_seconds=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(2.0)  # backed off, the start-up gauges and checkpoint done
        statements = count_statements(pipe.ctx)
        await asyncio.sleep(3.0)  # 15 wake-ups at 0.2 s: each looked at the files, none opened a transaction
        assert statements == []
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


@pytest.mark.parametrize("pipe", ["embedded"], indirect=True)
async def test_an_idle_sqlite_relay_still_publishes_another_processs_commit(pipe: Pipeline) -> None:
    """A commit through another engine (another process: no in-process wake-up) changes the files, and the next
    look, at most max_idle_seconds later, publishes it."""
    topic = unique_topic()
    sink = TimedSink(pipe.sink())
    relay = Relay(pipe.ctx, sink, idle_seconds=0.02, max_idle_seconds=0.5)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    other = build_context("registration", pipe.settings, metadata, INFRA, url=pipe.settings.db_url("registration"))
    try:
        await asyncio.sleep(2.0)  # idle, its looks skipped
        for _ in range(3):
            assert await publish_lag(sink, other, topic) < 1.5
            await asyncio.sleep(1.5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await other.dispose()
