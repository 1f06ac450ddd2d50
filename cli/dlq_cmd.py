"""`cadre events dlq list|replay`: see and replay dead letters on either transport."""

from __future__ import annotations

import asyncio

import typer

from shared.config import Settings
from shared.events.envelope import dlq_of
from shared.events.factory import open_sink
from shared.events.transport import OutgoingMessage, ReceivedMessage


def _read_embedded(settings: Settings, topics: list[str] | None) -> list[ReceivedMessage]:
    from shared.events.embedded_log import EmbeddedLog

    log = EmbeddedLog(settings.event_log_path, settings.topic_partitions)
    db = log._db()
    names = [r[0] for r in db.execute("SELECT name FROM topics WHERE name LIKE '%.dlq'").fetchall()]
    out: list[ReceivedMessage] = []
    for t in names:
        if topics and t not in topics:
            continue
        for p in range(log.partitions_of(t)):
            out.extend(log.read(t, p, 0, 100_000))
    log.close()
    return out


def _read_kafka(settings: Settings, topics: list[str] | None) -> list[ReceivedMessage]:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=2000)
    try:
        names = [t for t in consumer.topics() if t.endswith(".dlq") and (not topics or t in topics)]
        parts = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or [])]
        if not parts:
            return []
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        out: list[ReceivedMessage] = []
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            for tp, records in consumer.poll(timeout_ms=1000).items():
                for r in records:
                    headers = {k: v.decode() for k, v in (r.headers or [])}
                    out.append(ReceivedMessage(tp.topic, tp.partition, r.offset,
                                               r.key.decode() if r.key else None, r.value, headers))
        return out
    finally:
        consumer.close()


def read_dead_letters(settings: Settings, topic: str | None) -> list[ReceivedMessage]:
    """Every dead letter (of one original topic, or all)."""
    topics = [dlq_of(topic)] if topic else None
    return _read_kafka(settings, topics) if settings.transport == "kafka" else _read_embedded(settings, topics)


def list_dead_letters(settings: Settings, topic: str | None) -> None:
    """Print one line per dead letter."""
    letters = read_dead_letters(settings, topic)
    if not letters:
        typer.echo("Không có thư lỗi / no dead letters")
    for m in letters:
        h = m.headers
        typer.echo(f"{m.topic}[{m.partition}]@{m.offset} from {h.get('dlq_original_topic')}@"
                   f"{h.get('dlq_original_offset')} group={h.get('dlq_consumer_group')} "
                   f"at={h.get('dlq_failed_at')} error={h.get('dlq_error', '')[:200]}")


def replay_dead_letters(settings: Settings, topic: str, *, partition: int | None, offset: int | None) -> int:
    """Publish chosen dead letters back to their original topic."""
    chosen = [m for m in read_dead_letters(settings, topic)
              if (offset is None or m.offset == offset) and (partition is None or m.partition == partition)]
    messages = [OutgoingMessage(m.headers.get("dlq_original_topic", topic), m.key or "", m.value,
                                {k: v for k, v in m.headers.items() if not k.startswith("dlq_")}
                                | {"replayed_from": f"{m.topic}:{m.partition}:{m.offset}"})
                for m in chosen]

    async def go() -> None:
        sink = open_sink(settings)
        try:
            await sink.publish(messages)
        finally:
            await sink.close()

    asyncio.run(go())
    return len(messages)
