"""Event pipeline benchmark (not a test): raw kafka-python vs outbox → relay → Kafka → idempotent consumer.

Runs both in one process and one run against the same broker and prints both rates and the ratio b/a, then
the end-to-end lag (commit of the state change → effect committed by the consumer) at a steady 500 events/s.

    source /work/dev-infra.env   # or any CADRE_TEST_PG_DSN / CADRE_TEST_KAFKA
    .venv/bin/python -m bench.events --n 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import text

from shared.events.consumer import Consumer, idempotent_batch
from shared.events.envelope import CloudEvent
from shared.events.relay import Relay
from shared.uow import UnitOfWork, unit_of_work
from tests.support.infra import new_database_template
from tests.support.pipeline import make_pipeline, unique_topic


def raw_kafka(bootstrap: str, n: int) -> float:
    """(a) kafka-python producer (acks=all) → consumer of n messages; returns messages per second."""
    topic = unique_topic()
    payload = CloudEvent(type="TestPinged", source="/cadreflow/registration", subject="k",
                         data={"key": "k", "n": 0}).to_json().encode()
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex}",
                             auto_offset_reset="earliest", enable_auto_commit=False, metadata_max_age_ms=1000)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, batch_size=256 * 1024)
    started = time.perf_counter()
    for i in range(n):
        producer.send(topic, key=f"key{i % 50}".encode(), value=payload)
    producer.flush()
    got = 0
    while got < n:
        for records in consumer.poll(timeout_ms=500, max_records=2000).values():
            got += len(records)
        if got:
            consumer.commit()
    elapsed = time.perf_counter() - started
    producer.close()
    consumer.close()
    return n / elapsed


def start_relay_process(template: str, tmp: Path) -> subprocess.Popen[bytes]:
    """The relay as production runs it: its own process (`cadre serve registration --roles relay`)."""
    env = {**os.environ, "CADRE_PROFILE": "distributed", "CADRE_DATABASE_URL": template,
           "CADRE_KAFKA_BOOTSTRAP": os.environ["CADRE_TEST_KAFKA"], "CADRE_JWT_SECRET": "bench-secret-0123456789abcdef",
           "CADRE_RELAY_BATCH_SIZE": "500", "CADRE_RELAY_IDLE_SECONDS": "0.005", "CADRE_DATA_DIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "registration", "--roles", "relay"],
                            env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "relay.log").open("wb"),
                            start_new_session=True)


async def through_outbox(n: int, tmp: Path, *, relay_process: bool) -> tuple[float, list[float]]:
    """(b) n state changes with their events through outbox → relay → Kafka → idempotent consumer."""
    template = new_database_template()
    pipe = await make_pipeline("kafka", tmp, database_url=template)
    topic = unique_topic()
    lags: list[float] = []

    async def effect(uow: UnitOfWork, events: list[CloudEvent]) -> None:
        if events:
            await uow.session.execute(text("INSERT INTO effects (key, n, event_id) VALUES (:k, :n, :id)"),
                                      [{"k": e.data["key"], "n": e.data["n"], "id": e.id} for e in events])
        now = time.time()
        lags.extend(now - float(e.data.get("sent_at", now)) for e in events)

    group = f"bench-{topic}"
    consumer = Consumer(group=group, source_factory=lambda: pipe.source(group, [topic]),
                        handler=idempotent_batch(pipe.ctx, group, effect), dlq_sink=pipe.sink())
    stop = asyncio.Event()
    tasks = [asyncio.create_task(consumer.run(stop))]
    relay_proc = start_relay_process(template, tmp) if relay_process else None
    if relay_proc is None:
        tasks.append(asyncio.create_task(Relay(pipe.ctx, pipe.sink(), batch_size=500, idle_seconds=0.01).run(stop)))
    # warm up: group join and topic creation are not what we measure
    async with unit_of_work(pipe.ctx) as uow:
        uow.emit("TestPinged", subject="warm", data={"key": "warm", "n": 0, "sent_at": time.time()}, topic=topic)
    while not lags:
        await asyncio.sleep(0.05)
    lags.clear()
    started, wall_start = time.perf_counter(), time.time()
    for start in range(0, n, 100):
        async with unit_of_work(pipe.ctx) as uow:
            for i in range(start, min(n, start + 100)):
                uow.emit("TestPinged", subject=f"key{i % 50}", data={"key": f"key{i % 50}", "n": i,
                                                                     "sent_at": time.time()}, topic=topic)
    produced = time.perf_counter() - started
    while len(lags) < n:
        await asyncio.sleep(0.01)
    rate = n / (time.perf_counter() - started)
    async with pipe.ctx.sessions() as session:
        last_sent = (await session.execute(text("SELECT max(sent_at) FROM outbox WHERE topic = :t"),
                                           {"t": topic})).scalar_one()
    print(f"    (b) stages: {n} state changes committed in {produced:.1f} s; all published by the relay after "
          f"{last_sent.timestamp() - wall_start:.1f} s; all effects after {time.perf_counter() - started:.1f} s")
    # steady 500 events/s for 10 s: end-to-end lag
    lags.clear()
    for second in range(10):
        tick = time.perf_counter()
        for burst in range(10):
            async with unit_of_work(pipe.ctx) as uow:
                for i in range(50):
                    m = n + second * 500 + burst * 50 + i
                    uow.emit("TestPinged", subject=f"key{m % 50}",
                             data={"key": f"key{m % 50}", "n": m, "sent_at": time.time()}, topic=topic)
            await asyncio.sleep(max(0.0, tick + (burst + 1) * 0.1 - time.perf_counter()))
    while len(lags) < 5000:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(*tasks)
    if relay_proc is not None:
        relay_proc.send_signal(signal.SIGTERM)
        relay_proc.wait(timeout=30)
    await pipe.ctx.dispose()
    return rate, lags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--relay", choices=["process", "inline"], default="process",
                        help="run the relay in its own process (as deployed) or on the benchmark's event loop")
    args = parser.parse_args()
    bootstrap = os.environ["CADRE_TEST_KAFKA"]
    a = raw_kafka(bootstrap, args.n)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        b, lags = asyncio.run(through_outbox(args.n, Path(tmp), relay_process=args.relay == "process"))
    lags.sort()
    p50, p99 = statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
    print(f"(a) raw kafka-python producer→consumer : {a:10.0f} events/s")
    print(f"(b) outbox→relay→Kafka→idempotent consumer: {b:10.0f} events/s  (relay: {args.relay})")
    print(f"ratio b/a = {b / a:.2f} (target ≥ 0.5)")
    print(f"end-to-end lag at a steady 500 events/s: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (target < 1 s)")
    os._exit(0)


if __name__ == "__main__":
    main()
