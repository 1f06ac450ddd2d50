"""Two transports, one contract: what a relay publishes to and what a consumer reads from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shared.config import Settings


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to publish; key = aggregate id, so one aggregate's events stay in order."""

    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceivedMessage:
    """A message read from a topic partition."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


class TransportUnavailable(RuntimeError):
    """The event transport could not be reached or did not acknowledge."""


class EventSink(Protocol):
    """Where a relay publishes."""

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish all messages; return only when every one is acknowledged, else raise."""
        ...

    async def ping(self) -> bool:
        """Whether the transport is reachable now."""
        ...

    async def close(self) -> None: ...


class EventSource(Protocol):
    """What a consumer group reads from."""

    async def poll(self, *, timeout: float, max_records: int) -> list[ReceivedMessage]: ...

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        """Commit, per (topic, partition), the offset of the next message to read."""
        ...

    async def lag(self) -> dict[tuple[str, int], int]:
        """Messages not yet committed, per (topic, partition)."""
        ...

    async def close(self) -> None: ...


def open_sink(settings: Settings) -> EventSink:
    """The profile's sink (Kafka or the embedded log)."""
    if settings.transport == "kafka":
        from shared.events.kafka_transport import KafkaSink

        return KafkaSink(settings.kafka_bootstrap)
    from shared.events.embedded_log import EmbeddedLog, EmbeddedSink

    return EmbeddedSink(EmbeddedLog(settings.event_log_path, settings.topic_partitions))


def open_source(settings: Settings, *, group: str, topics: Sequence[str]) -> EventSource:
    """The profile's source for one consumer group."""
    if settings.transport == "kafka":
        from shared.events.kafka_transport import KafkaSource

        return KafkaSource(settings.kafka_bootstrap, group=group, topics=list(topics))
    from shared.events.embedded_log import EmbeddedLog, EmbeddedSource

    return EmbeddedSource(EmbeddedLog(settings.event_log_path, settings.topic_partitions), group=group,
                          topics=list(topics))
