"""Two transports, one contract: what a relay publishes to and what a consumer reads from (the profile's
implementation is chosen by ``shared.events.factory``, which nothing here imports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol


@dataclass(slots=True)
class OutgoingMessage:
    """A message to publish; key = aggregate id, so one aggregate's events stay in order."""

    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
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


class NamespacedSink:
    """Publishes under a prefix (the deployment's event namespace)."""

    def __init__(self, inner: EventSink, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        await self.inner.publish([replace(m, topic=self.prefix + m.topic) for m in messages])

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


class NamespacedSource:
    """Reads under a prefix; the code above it sees the plain topic names."""

    def __init__(self, inner: EventSource, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix
        self.idle_poll_seconds: float | None = getattr(inner, "idle_poll_seconds", None)  # see Consumer.run

    async def poll(self, *, timeout: float, max_records: int) -> list[ReceivedMessage]:
        got = await self.inner.poll(timeout=timeout, max_records=max_records)
        return [replace(m, topic=m.topic.removeprefix(self.prefix)) for m in got]

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        await self.inner.commit({(self.prefix + t, p): o for (t, p), o in positions.items()})

    async def lag(self) -> dict[tuple[str, int], int]:
        return {(t.removeprefix(self.prefix), p): n for (t, p), n in (await self.inner.lag()).items()}

    async def close(self) -> None:
        await self.inner.close()
