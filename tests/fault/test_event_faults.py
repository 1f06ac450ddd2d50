"""Faults on the real stack: a Kafka outage while events flow, and a relay killed with SIGKILL mid-batch.
Every event's effect must appear exactly once, in per-key order, and the outbox must drain to zero."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from shared.events.consumer import Consumer
from shared.uow import unit_of_work
from tests.support import infra
from tests.support.pipeline import Pipeline, make_pipeline, unique_topic
from tests.support.stack import Stack

pytestmark = pytest.mark.integration
KEYS = 20


async def pending(pipe: Pipeline) -> int:
    t = pipe.ctx.tables.outbox
    async with pipe.ctx.sessions() as s:
        return int((await s.execute(select(func.count()).where(t.c.sent_at.is_(None)))).scalar_one())


async def produce(pipe: Pipeline, topic: str, total: int, *, per_batch: int, pause: float) -> None:
    for start in range(0, total, per_batch):
        async with unit_of_work(pipe.ctx) as uow:
            for n in range(start, min(total, start + per_batch)):
                uow.emit("TestPinged", subject=f"key{n % KEYS}", data={"key": f"key{n % KEYS}", "n": n}, topic=topic)
        await asyncio.sleep(pause)


def assert_exactly_once_in_order(effects: list[tuple[str, int, str]], total: int) -> None:
    assert sorted(n for _, n, _ in effects) == list(range(total)), "each event's effect exactly once"
    for k in range(KEYS):
        ns = [n for key, n, _ in effects if key == f"key{k}"]
        assert ns == sorted(ns), f"key{k} applied out of order"


async def run_consumer_until(consumer: Consumer, pipe: Pipeline, total: int, timeout: float) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    deadline = time.monotonic() + timeout
    try:
        while len(await pipe.effects()) < total:
            assert time.monotonic() < deadline, f"only {len(await pipe.effects())}/{total} effects in time"
            assert not task.done(), task.exception() if task.done() else None
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # duplicates still in flight must not add effects
    finally:
        stop.set()
        await task


def relay_stack(tmp_path: Path, template: str) -> Stack:
    stack = Stack.distributed(database_url=template, kafka=infra.kafka_bootstrap(), temporal=infra.temporal_address(),
                              log_dir=tmp_path / "stack", extra_env={"CADRE_RELAY_BATCH_SIZE": "500"})
    migrated = stack.cadre("migrate", "registration")
    assert migrated.returncode == 0, migrated.stderr
    return stack


async def test_broker_outage_loses_nothing_and_readiness_names_kafka(tmp_path: Path) -> None:
    template = infra.new_database_template()
    stack = relay_stack(tmp_path, template)
    pipe = await make_pipeline("kafka", tmp_path, database_url=template)
    topic, total = unique_topic(), 5000
    stack.start("registration", roles="api,relay")
    try:
        stack.wait_ready("registration")
        producing = asyncio.create_task(produce(pipe, topic, total, per_batch=25, pause=0.15))
        await asyncio.sleep(5)
        await asyncio.to_thread(infra.kafka_ctl, "stop")
        down_at = time.monotonic()
        async with httpx.AsyncClient() as http:
            ready = (await http.get(f"{stack.url('registration')}/readyz")).json()
        assert ready["failing"] == ["kafka"] and ready["checks"]["database"] == "ok"
        await asyncio.sleep(max(0.0, 30 - (time.monotonic() - down_at)))
        assert await pending(pipe) > 0, "events wait in the outbox while the broker is down"
        await asyncio.to_thread(infra.kafka_ctl, "start")
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 30
            while (await http.get(f"{stack.url('registration')}/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "registration never became ready again"
                await asyncio.sleep(0.5)
        await producing
        consumer = pipe.consumer(f"outage-{topic}", topic)
        await run_consumer_until(consumer, pipe, total, timeout=180)
        assert_exactly_once_in_order(await pipe.effects(), total)
        deadline = time.monotonic() + 60
        while await pending(pipe):
            assert time.monotonic() < deadline, "the relay's pending count did not return to 0"
            await asyncio.sleep(0.5)
    finally:
        if await asyncio.to_thread(_kafka_down):
            await asyncio.to_thread(infra.kafka_ctl, "start")
        stack.stop()
        await pipe.ctx.dispose()


def _kafka_down() -> bool:
    from shared.events.kafka_transport import reachable

    return not reachable(infra.kafka_bootstrap())


async def test_relay_killed_mid_batch_loses_nothing(tmp_path: Path) -> None:
    template = infra.new_database_template()
    stack = relay_stack(tmp_path, template)
    pipe = await make_pipeline("kafka", tmp_path, database_url=template)
    topic, total = unique_topic(), 5000
    await produce(pipe, topic, total, per_batch=500, pause=0)
    try:
        stack.start("registration", roles="relay", key="relay-1")
        deadline = time.monotonic() + 60
        while await pending(pipe) == total:
            assert time.monotonic() < deadline, "the relay never published"
            await asyncio.sleep(0.02)
        stack.kill("relay-1")  # SIGKILL, wherever it is
        left = await pending(pipe)
        assert 0 <= left < total
        stack.start("registration", roles="relay", key="relay-2")
        deadline = time.monotonic() + 90
        while await pending(pipe):
            assert time.monotonic() < deadline, "the restarted relay did not drain the outbox"
            await asyncio.sleep(0.3)
        consumer = pipe.consumer(f"killed-{topic}", topic)
        await run_consumer_until(consumer, pipe, total, timeout=120)
        assert_exactly_once_in_order(await pipe.effects(), total)
    finally:
        stack.stop()
        await pipe.ctx.dispose()
