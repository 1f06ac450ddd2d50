"""The relay's partitioner picks exactly what kafka-python's default (the Java client's murmur2) picks."""

from __future__ import annotations

from kafka.partitioner import DefaultPartitioner

from shared.events.kafka_transport import KeyedPartitioner


class Cluster:
    def __init__(self, partitions: int) -> None:
        self.partitions = set(range(partitions))

    def topics(self) -> set[str]:
        return {"cadre.registration.v1"}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions


def test_same_partition_as_the_default_and_follows_a_change_of_partition_count() -> None:
    keyed, default = KeyedPartitioner(), DefaultPartitioner()
    keys = [f"registration:{n}".encode() for n in range(500)]
    for count in (3, 3, 7):  # twice (the second time from memory), then after partitions were added
        cluster = Cluster(count)
        for key in keys:
            expected = default.partition("cadre.registration.v1", None, key, None, b"v", cluster)
            assert keyed.partition("cadre.registration.v1", None, key, None, b"v", cluster) == expected
    assert len({keyed.partition("cadre.registration.v1", None, k, None, b"v", Cluster(7)) for k in keys}) == 7
