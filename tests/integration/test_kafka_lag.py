"""On real Kafka: a member that holds no partition (as one left by a half-finished rebalance does) still reports the
messages its group has not read, so the consumer's stall watch can replace it; partitions another member is moving
are not reported (that member is reading them)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from shared.events.kafka_transport import KafkaSink, KafkaSource
from shared.events.transport import OutgoingMessage
from tests.support import infra
from tests.support.pipeline import unique_topic

pytestmark = pytest.mark.integration


async def _published(bootstrap: str, topic: str, keys: list[str]) -> None:
    sink = KafkaSink(bootstrap)
    try:
        await sink.publish([OutgoingMessage(topic, k, f'{{"n": "{k}"}}'.encode(), {}) for k in keys])
    finally:
        await sink.close()


def _commit_as_group(bootstrap: str, group: str, tp: TopicPartition, offset: int) -> None:
    """Another member of the group moves one partition (a manual commit outside any generation)."""
    other = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        other.assign([tp])
        other.commit({tp: OffsetAndMetadata(offset, "", -1)})
    finally:
        other.close(autocommit=False)


async def test_a_member_without_partitions_reports_what_waits_unread() -> None:
    bootstrap, topic, group = infra.kafka_bootstrap(), unique_topic(), f"lag-{uuid.uuid4().hex[:8]}"
    source = KafkaSource(bootstrap, group=group, topics=[topic])
    try:
        first = await source.lag()  # creates the topic and subscribes, but never polls: no partition assigned
        assert first == {}, "an empty topic has nothing waiting"
        await _published(bootstrap, topic, [f"k{i}" for i in range(12)])
        waiting = await source.lag()
        assert sum(waiting.values()) == 12, waiting
        assert all(t == topic for t, _ in waiting), waiting
        moved_key = max(waiting, key=lambda k: waiting[k])
        await asyncio.to_thread(_commit_as_group, bootstrap, group, TopicPartition(*moved_key), waiting[moved_key])
        later = await source.lag()
        assert moved_key not in later, "a partition another member moved is being read: not reported"
        assert later == {k: v for k, v in waiting.items() if k != moved_key and v > 0}
        again = await source.lag()
        assert again == later, "partitions nobody moves stay reported look after look"
    finally:
        await source.close()


async def test_an_assigned_member_reports_its_own_partitions() -> None:
    bootstrap, topic, group = infra.kafka_bootstrap(), unique_topic(), f"lag-{uuid.uuid4().hex[:8]}"
    source = KafkaSource(bootstrap, group=group, topics=[topic])
    try:
        await source.lag()
        await _published(bootstrap, topic, [f"k{i}" for i in range(6)])
        read = []
        for _ in range(60):  # join the group and read everything (offsets not committed)
            read += await source.poll(timeout=0.5, max_records=100)
            if len(read) == 6:
                break
        assert len(read) == 6
        assert sum((await source.lag()).values()) == 6, "read but not committed: still behind"
        ends: dict[tuple[str, int], int] = {}
        for m in read:
            ends[(m.topic, m.partition)] = max(ends.get((m.topic, m.partition), 0), m.offset + 1)
        await source.commit(ends)
        assert sum((await source.lag()).values()) == 0
    finally:
        await source.close()
