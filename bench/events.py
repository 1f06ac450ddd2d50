"""Event pipeline benchmark (not a test): raw kafka-python vs outbox → relay → Kafka → idempotent consumer.

Runs both in one process and one run against the same broker and prints both rates and the ratio b/a, then
the end-to-end lag (commit of the state change → effect committed by the consumer) at a steady 500 events/s.

    CADRE_TEST_PG_DSN=… CADRE_TEST_KAFKA=… .venv/bin/python -m bench.events --n 20000   (or: make bench)

Targets: b/a ≥ 0.55; p99 lag < 100 ms at 500 events/s. Prints one `RESULT` line per target (bench.result).
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

from bench.result import emit, need
from shared.events.consumer import Consumer, idempotent_batch
from shared.events.envelope import CloudEvent
from shared.events.kafka_transport import ensure_topics
from shared.events.relay import Relay
from shared.process import run_loop, tune_gc
from shared.uow import UnitOfWork, unit_of_work
from tests.support.infra import new_database_template
from tests.support.pipeline import Pipeline, make_pipeline, unique_topic

RATIO_TARGET = 0.55
LAG_TARGET_MS = 100


def raw_kafka(bootstrap: str, n: int) -> float:
    """(a) kafka-python producer (acks=all) → consumer of n messages; returns messages per second. The topic (three
    partitions, as the pipeline's), the producer's metadata and the consumer's group join are ready before the
    clock starts, as they are for (b)."""
    topic = unique_topic()
    ensure_topics(bootstrap, [topic])
    payload = CloudEvent(type="TestPinged", source="/cadreflow/registration", subject="k",
                         data={"key": "k", "n": 0}).to_json().encode()
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex}",
                             auto_offset_reset="earliest", enable_auto_commit=False, metadata_max_age_ms=1000,
                             max_poll_records=2000)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, batch_size=256 * 1024)
    producer.send(topic, key=b"warm", value=payload)
    producer.flush()
    warm = 0
    while not warm:
        warm = sum(len(r) for r in consumer.poll(timeout_ms=500).values())
    consumer.commit()
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
           "CADRE_KAFKA_BOOTSTRAP": os.environ["CADRE_TEST_KAFKA"],
           "CADRE_JWT_SECRET": "bench-secret-0123456789abcdef-0123456789",
           "CADRE_DATA_DIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "registration", "--roles", "relay"],
                            env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "relay.log").open("wb"),
                            start_new_session=True)


BENCH_EFFECTS_DDL = ("CREATE TABLE bench_effects (event_id VARCHAR(64) PRIMARY KEY, n INTEGER NOT NULL, "
                     "sent_at DOUBLE PRECISION NOT NULL, applied_at DOUBLE PRECISION NOT NULL)")


_APPLY = text("INSERT INTO bench_effects (event_id, n, sent_at, applied_at) SELECT u.id, u.n, u.sent, :now "
              "FROM unnest(CAST(:ids AS VARCHAR[]), CAST(:ns AS INTEGER[]), CAST(:sent AS DOUBLE PRECISION[])) "
              "AS u(id, n, sent)")


async def apply_effects(uow: UnitOfWork, events: list[CloudEvent]) -> None:
    """The consumer's effect, applied to a batch at once: one row per event, with when it was sent and when it
    was applied (one multi-row statement, as a batch effect is written)."""
    now = time.time()
    if events:
        await uow.session.execute(_APPLY, {"ids": [e.id for e in events], "ns": [e.data["n"] for e in events],
                                           "sent": [float(e.data.get("sent_at", now)) for e in events], "now": now})


async def consume(template: str, topic: str) -> None:
    """The consumer group as production runs one: its own process, until SIGTERM."""
    from services.registration.models import INFRA, metadata
    from shared.config import Settings
    from shared.context import build_context
    from shared.events.factory import open_sink, open_source

    settings = Settings(profile="distributed", jwt_secret="bench-secret-0123456789abcdef-0123456789",  # type: ignore[arg-type]
                        kafka_bootstrap=os.environ["CADRE_TEST_KAFKA"], database_url=template)
    ctx = build_context("registration", settings, metadata, INFRA)
    group = f"bench-{topic}"
    consumer = Consumer(group=group, source_factory=lambda: open_source(settings, group=group, topics=[topic]),
                        handler=idempotent_batch(ctx, group, apply_effects), dlq_sink=open_sink(settings))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await consumer.run(stop)
    await ctx.dispose()


def start_consumer_process(template: str, topic: str, tmp: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bench.events", "--consume", topic, "--database-url", template],
                            env={**os.environ, "CADRE_LOG_LEVEL": "WARNING"}, stdout=subprocess.DEVNULL,
                            stderr=(tmp / "consumer.log").open("wb"), start_new_session=True)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def through_outbox(n: int, tmp: Path, *, relay_process: bool) -> tuple[float, list[float]]:
    """(b) n state changes with their events through outbox → relay → Kafka → idempotent consumer. The relay and
    the consumer group each run in their own process, as deployed; this process only commits state changes."""
    template = new_database_template()
    pipe = await make_pipeline("kafka", tmp, database_url=template)
    async with pipe.ctx.engine.begin() as conn:
        await conn.execute(text(BENCH_EFFECTS_DDL))
    topic = unique_topic()
    consumer_proc = start_consumer_process(template, topic, tmp)
    relay_proc = start_relay_process(template, tmp) if relay_process else None
    try:
        return await _measure(pipe, topic, n, consumer_proc, relay_proc)
    finally:  # never leave a relay or consumer behind, whatever failed
        for proc in (relay_proc, consumer_proc):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        await pipe.ctx.dispose()


async def _measure(pipe: Pipeline, topic: str, n: int, consumer_proc: subprocess.Popen[bytes],
                   relay_proc: subprocess.Popen[bytes] | None) -> tuple[float, list[float]]:
    """Commit n state changes, wait for every effect, then a steady 500/s for the lag; returns (rate, lags)."""
    stop = asyncio.Event()
    tasks = [] if relay_proc is not None else [
        asyncio.create_task(Relay(pipe.ctx, pipe.sink(), batch_size=500, idle_seconds=0.01).run(stop))]

    async def applied() -> int:
        async with pipe.ctx.sessions() as session:
            return int((await session.execute(text("SELECT count(*) FROM bench_effects"))).scalar_one())

    async def wait_applied(total: int) -> None:
        # a slow poll, so that counting takes next to nothing from the pipeline: the finish time is read afterwards
        # from the effects themselves (applied_at, stamped by the consumer as it applies them)
        while await applied() < total:
            await asyncio.sleep(0.1)

    # warm up: group join and topic creation are not what we measure
    async with unit_of_work(pipe.ctx) as uow:
        uow.emit("TestPinged", subject="warm", data={"key": "warm", "n": 10**9, "sent_at": time.time()}, topic=topic)
    await wait_applied(1)
    cpu_before = {"this process": _cpu_seconds(os.getpid()), "consumer": _cpu_seconds(consumer_proc.pid)}
    if relay_proc is not None:
        cpu_before["relay"] = _cpu_seconds(relay_proc.pid)
    started, wall_start = time.perf_counter(), time.time()
    for start in range(0, n, 100):
        async with unit_of_work(pipe.ctx) as uow:
            for i in range(start, min(n, start + 100)):
                uow.emit("TestPinged", subject=f"key{i % 50}", data={"key": f"key{i % 50}", "n": i,
                                                                     "sent_at": time.time()}, topic=topic)
    produced = time.perf_counter() - started
    await wait_applied(n + 1)
    async with pipe.ctx.sessions() as session:
        finished = float((await session.execute(text("SELECT max(applied_at) FROM bench_effects"))).scalar_one())
    rate = n / (finished - wall_start)
    cpu = {"this process": _cpu_seconds(os.getpid()), "consumer": _cpu_seconds(consumer_proc.pid)}
    if relay_proc is not None:
        cpu["relay"] = _cpu_seconds(relay_proc.pid)
    print("    (b) CPU seconds so far: " + ", ".join(f"{k} {v - cpu_before.get(k, 0.0):.2f}" for k, v in cpu.items()))
    async with pipe.ctx.sessions() as session:
        last_sent = (await session.execute(text("SELECT max(sent_at) FROM outbox WHERE topic = :t"),
                                           {"t": topic})).scalar_one()
    print(f"    (b) stages: {n} state changes committed in {produced:.2f} s; all published by the relay after "
          f"{last_sent.timestamp() - wall_start:.2f} s; all effects after {finished - wall_start:.2f} s")
    # steady 500 events/s for 10 s: end-to-end lag (commit of the state change → effect applied)
    for second in range(10):
        tick = time.perf_counter()
        for burst in range(10):
            async with unit_of_work(pipe.ctx) as uow:
                for i in range(50):
                    m = n + second * 500 + burst * 50 + i
                    uow.emit("TestPinged", subject=f"key{m % 50}",
                             data={"key": f"key{m % 50}", "n": m, "sent_at": time.time()}, topic=topic)
            await asyncio.sleep(max(0.0, tick + (burst + 1) * 0.1 - time.perf_counter()))
    await wait_applied(n + 5001)
    async with pipe.ctx.sessions() as session:
        lags = [float(r[0]) for r in await session.execute(
            text("SELECT applied_at - sent_at FROM bench_effects WHERE n >= :n AND n < :end"),
            {"n": n, "end": n + 5000})]
    stop.set()
    await asyncio.gather(*tasks)
    return rate, lags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--relay", choices=["process", "inline"], default="process",
                        help="run the relay in its own process (as deployed) or on the benchmark's event loop")
    parser.add_argument("--consume", metavar="TOPIC", help=argparse.SUPPRESS)  # the consumer process
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    tune_gc()  # as every service process does (cadre serve); the raw baseline (a) runs with it too
    # (b)'s processes run their event loops as `cadre serve` does (shared.process.run_loop); (a) has none
    if args.consume:
        run_loop(consume(args.database_url, args.consume))
        os._exit(0)
    _, bootstrap = need("CADRE_TEST_PG_DSN", "CADRE_TEST_KAFKA")
    a = raw_kafka(bootstrap, args.n)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        b, lags = run_loop(through_outbox(args.n, Path(tmp), relay_process=args.relay == "process"))
    lags.sort()
    p50, p99 = statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
    print(f"(a) raw kafka-python producer→consumer : {a:10.0f} events/s")
    print(f"(b) outbox→relay→Kafka→idempotent consumer: {b:10.0f} events/s  (relay: {args.relay})")
    print(f"ratio b/a = {b / a:.2f} (target ≥ {RATIO_TARGET})")
    print(f"end-to-end lag at a steady 500 events/s: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
          f"(target < {LAG_TARGET_MS} ms)")
    emit(f"events: outbox → relay → Kafka → consumer / raw kafka-python ({args.n:,} events)",
         baseline=f"{a:,.0f} events/s", ours=f"{b:,.0f} events/s", ratio=b / a, target=f"≥ {RATIO_TARGET}",
         met=b / a >= RATIO_TARGET)
    emit("events: p99 end-to-end lag at a steady 500 events/s (ms)", baseline=f"p50 {p50 * 1000:.0f} ms",
         ours=f"p99 {p99 * 1000:.0f} ms", ratio=p99 * 1000, target=f"< {LAG_TARGET_MS} ms",
         met=p99 * 1000 < LAG_TARGET_MS)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
