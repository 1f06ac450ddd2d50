"""Consumers: idempotent effects, offsets committed after the effect, poison messages to a dead-letter topic."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from shared.context import ServiceContext
from shared.events.envelope import CloudEvent, dlq_of
from shared.events.transport import EventSink, EventSource, OutgoingMessage, ReceivedMessage
from shared.logging import get_logger
from shared.metrics import CONSUMER_LAG, CONSUMER_RESETS, DLQ_MESSAGES, EVENTS_CONSUMED
from shared.uow import UnitOfWork, unit_of_work

log = get_logger(__name__)

Handler = Callable[[CloudEvent], Awaitable[None]]
Effect = Callable[[UnitOfWork, CloudEvent], Awaitable[None]]
BatchEffect = Callable[[UnitOfWork, list[CloudEvent]], Awaitable[None]]


class Poison(Exception):
    """A message that can never be handled (retrying is pointless)."""


class Unavailable(Exception):
    """What the effect needs is down (e.g. Temporal for a starter): the message is fine, so it is not dead-lettered;
    the consumer stops, waits (backing off up to 5 s) and reads again from its last committed offset."""


class IdempotentEffect:
    """An effect committed with its processed event id in one transaction: a redelivery has no effect.

    Called with one event, or with a whole poll's batch (one transaction for many events; the consumer falls
    back to one event at a time when a batch fails, so one poison message cannot hold the others back)."""

    def __init__(self, ctx: ServiceContext, group: str, effect: Effect | None = None,
                 batch_effect: BatchEffect | None = None) -> None:
        if (effect is None) == (batch_effect is None):
            raise ValueError("give exactly one of effect and batch_effect")
        self.ctx = ctx
        self.group = group
        self.effect = effect
        self.batch_effect = batch_effect

    async def __call__(self, event: CloudEvent) -> None:
        await self.batch([event])

    async def batch(self, events: list[CloudEvent]) -> None:
        async with unit_of_work(self.ctx) as uow:
            claimed = await uow.claim_events(self.group, [e.id for e in events])
            fresh: dict[str, CloudEvent] = {}
            for event in events:
                if event.id not in claimed or event.id in fresh:
                    EVENTS_CONSUMED.labels(self.group, "duplicate").inc()
                    continue
                fresh[event.id] = event
            if self.batch_effect is not None:
                await self.batch_effect(uow, list(fresh.values()))
            else:
                assert self.effect is not None
                for event in fresh.values():
                    await self.effect(uow, event)


def idempotent(ctx: ServiceContext, group: str, effect: Effect) -> IdempotentEffect:
    """Wrap an effect so that it happens once per event id, whatever the redeliveries."""
    return IdempotentEffect(ctx, group, effect=effect)


def idempotent_batch(ctx: ServiceContext, group: str, batch_effect: BatchEffect) -> IdempotentEffect:
    """Like idempotent, for an effect that applies many events at once (e.g. one multi-row insert)."""
    return IdempotentEffect(ctx, group, batch_effect=batch_effect)


class Consumer:
    """One consumer group's loop over its topics."""

    def __init__(self, *, group: str, source_factory: Callable[[], EventSource], handler: Handler,
                 dlq_sink: EventSink, max_retries: int = 3, retry_backoff: float = 0.2,
                 event_types: frozenset[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.group = group
        self.clock = clock  # when lag is looked at (a test passes its own)
        self.source_factory = source_factory
        self.handler = handler
        self.dlq_sink = dlq_sink
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.event_types = event_types
        self._source: EventSource | None = None

    async def _dead_letter(self, msg: ReceivedMessage, error: str) -> None:
        headers = dict(msg.headers)
        headers.update({
            "dlq_error": error[:4000], "dlq_original_topic": msg.topic, "dlq_original_partition": str(msg.partition),
            "dlq_original_offset": str(msg.offset), "dlq_consumer_group": self.group,
            "dlq_failed_at": datetime.now(UTC).isoformat(),
        })
        await self.dlq_sink.publish([OutgoingMessage(dlq_of(msg.topic), msg.key or "", msg.value, headers)])
        DLQ_MESSAGES.labels(self.group, msg.topic).inc()
        log.warning("event_dead_lettered", group=self.group, topic=msg.topic, partition=msg.partition,
                    offset=msg.offset, error=error[:500])

    async def handle_message(self, msg: ReceivedMessage) -> None:
        """Apply one message's effect (retrying), or dead-letter it; raises only if the DLQ is unreachable or the
        effect said a dependency is Unavailable."""
        try:
            event = CloudEvent.from_json(msg.value)
        except (ValueError, KeyError, TypeError) as exc:
            await self._dead_letter(msg, f"undecodable: {exc!r}")
            EVENTS_CONSUMED.labels(self.group, "dead_lettered").inc()
            return
        if self.event_types is not None and event.type not in self.event_types:
            EVENTS_CONSUMED.labels(self.group, "ignored").inc()
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.handler(event)
                EVENTS_CONSUMED.labels(self.group, "ok").inc()
                return
            except Poison as exc:
                await self._dead_letter(msg, f"poison: {exc}")
            except Unavailable:
                EVENTS_CONSUMED.labels(self.group, "deferred").inc()
                raise
            except Exception as exc:
                if attempt <= self.max_retries:
                    log.info("event_retry", group=self.group, event_type=event.type, attempt=attempt,
                             error=repr(exc))
                    await asyncio.sleep(self.retry_backoff * attempt)
                    continue
                await self._dead_letter(msg, "".join(traceback.format_exception_only(exc)).strip())
            EVENTS_CONSUMED.labels(self.group, "dead_lettered").inc()
            return

    async def _handle_batch(self, batch: list[ReceivedMessage]) -> bool:
        """Apply a whole batch in one go when the handler can; False when it must go one by one."""
        apply = getattr(self.handler, "batch", None)
        if apply is None or len(batch) < 2:
            return False
        events: list[CloudEvent] = []
        for msg in batch:
            try:
                event = CloudEvent.from_json(msg.value)
            except (ValueError, KeyError, TypeError):
                return False
            if self.event_types is None or event.type in self.event_types:
                events.append(event)
        try:
            await apply(events)
        except Exception as exc:
            log.info("batch_failed_retrying_one_by_one", group=self.group, size=len(events), error=repr(exc))
            return False
        EVENTS_CONSUMED.labels(self.group, "ok").inc(len(events))
        return True

    async def run_once(self, *, timeout: float = 0.5, max_records: int = 2000,
                       stop: asyncio.Event | None = None) -> int:
        """Poll one batch, handle it in order (as one transaction when possible), then commit the offsets.

        With `stop`, a wait for messages ends as soon as it is set (0, nothing read): only for sources whose poll
        may be abandoned (`idle_poll_seconds`, the embedded log's)."""
        if self._source is None:
            self._source = self.source_factory()
        if stop is None:
            batch = await self._source.poll(timeout=timeout, max_records=max_records)
        else:
            got = await _unless_stopped(self._source.poll(timeout=timeout, max_records=max_records), stop)
            if got is None:
                return 0
            batch = got
        positions: dict[tuple[str, int], int] = {}
        handled = await self._handle_batch(batch)
        for msg in batch:
            if not handled:
                await self.handle_message(msg)
            positions[(msg.topic, msg.partition)] = msg.offset + 1
        if positions:
            await self._source.commit(positions)
        return len(batch)

    async def close(self) -> None:
        """Leave the group and release the source."""
        await self._reset()

    async def _reset(self) -> None:
        if self._source is not None:
            try:
                await self._source.close()
            except Exception as exc:
                log.warning("consumer_close_failed", group=self.group, error=repr(exc))
            self._source = None

    async def refresh_lag(self) -> int:
        """Export the lag of each partition this member reads; the total (0 without a source)."""
        if self._source is None:
            return 0
        total = 0
        for (topic, partition), lag in (await self._source.lag()).items():
            CONSUMER_LAG.labels(self.group, topic, str(partition)).set(lag)
            total += lag
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until stopped; after a failure, re-read from the last committed offsets."""
        backoff = 0.0
        last_lag = 0.0
        handled = True
        stalled = StallWatch()
        while not stop.is_set():
            try:
                if self._source is None:
                    self._source = self.source_factory()
                # a source that wakes on every write (the embedded log) is waited on long, and the wait is given
                # up when the process stops; a Kafka poll runs in a thread that cannot be abandoned: 0.5 s
                long_poll = getattr(self._source, "idle_poll_seconds", None)
                handled = await (self.run_once(timeout=long_poll, stop=stop) if long_poll
                                 else self.run_once()) > 0 or handled
                backoff = 0.0
                # every 5 s while messages come; idle (nothing handled since the last look), every 30 s
                if self.clock() - last_lag > (5.0 if handled else 30.0):
                    behind = await self.refresh_lag()
                    if stalled.observe(behind=behind, handled=handled):
                        # messages wait on this member's partitions and two looks in a row found nothing read:
                        # the client is wedged (e.g. left in a half-finished rebalance); a new member re-joins
                        log.warning("consumer_stalled", group=self.group, lag=behind)
                        CONSUMER_RESETS.labels(self.group, "stalled").inc()
                        await self._reset()
                    last_lag, handled = self.clock(), False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                backoff = min(5.0, max(0.2, backoff * 2))
                log.warning("consumer_failed", group=self.group, error=repr(exc), retry_in=backoff)
                CONSUMER_RESETS.labels(self.group, "failed").inc()
                await self._reset()
                try:
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                except TimeoutError:
                    pass
        await self._reset()


class StallWatch:
    """Says a consumer is stalled when two lag looks in a row find messages waiting and nothing was read between
    them (one look alone could catch a message that arrived a moment before it)."""

    def __init__(self) -> None:
        self._behind_before = False

    def observe(self, *, behind: int, handled: bool) -> bool:
        """Record one look (its total lag, whether anything was handled since the last look); True: stalled."""
        stalled = self._behind_before and behind > 0 and not handled
        self._behind_before = behind > 0 and not handled and not stalled
        return stalled


async def _unless_stopped(poll: Awaitable[list[ReceivedMessage]], stop: asyncio.Event) -> list[ReceivedMessage] | None:
    """The poll's messages, or None if `stop` was set first (the poll is then cancelled)."""
    polling = asyncio.ensure_future(poll)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((polling, stopping), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if polling.done():
        return polling.result()
    polling.cancel()
    try:
        await polling
    except asyncio.CancelledError:
        if not stop.is_set():
            raise
    return None
