"""A consumer whose client reads nothing while messages wait on its partitions is replaced by a new group member
(a wedged client once left selected candidates unenrolled for good); an idle or a busy consumer is left alone."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from shared.events.consumer import Consumer, StallWatch
from shared.events.transport import EventSink, OutgoingMessage, ReceivedMessage


@pytest.mark.parametrize(("looks", "said"), [
    ([(3, False), (3, False)], [False, True]),  # two looks in a row: waiting, nothing read
    ([(3, False), (3, True), (3, False)], [False, False, False]),  # something read between: it is moving
    ([(0, False), (0, False), (0, False)], [False, False, False]),  # idle: nothing waits
    ([(3, False), (0, False), (3, False)], [False, False, False]),  # caught up between the looks
    ([(3, False)] * 4, [False, True, False, True]),  # after a reset the watch starts again
])
def test_the_stall_watch_needs_two_looks_in_a_row(looks: list[tuple[int, bool]], said: list[bool]) -> None:
    watch = StallWatch()
    assert [watch.observe(behind=behind, handled=handled) for behind, handled in looks] == said


class WedgedSource:
    """Reads nothing, though its partitions have messages waiting."""

    def __init__(self, lag: int) -> None:
        self.lag_total = lag
        self.closed = False

    async def poll(self, *, timeout: float, max_records: int) -> list[ReceivedMessage]:
        await asyncio.sleep(0.001)
        return []

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        raise AssertionError("nothing was read, so nothing is committed")

    async def lag(self) -> dict[tuple[str, int], int]:
        return {("cadre.selection.v1", 0): self.lag_total}

    async def close(self) -> None:
        self.closed = True


class NoSink(EventSink):
    async def publish(self, messages: list[OutgoingMessage]) -> None:  # type: ignore[override]
        raise AssertionError("nothing is dead-lettered")

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None


async def _run(lag: int) -> list[WedgedSource]:
    made: list[WedgedSource] = []

    def factory() -> WedgedSource:
        made.append(WedgedSource(lag))
        return made[-1]

    now = [0.0]

    def clock() -> float:  # 31 s pass between two polls: every loop is a lag look
        now[0] += 31.0
        return now[0]

    async def handler(event: object) -> None:
        raise AssertionError("nothing to handle")

    consumer = Consumer(group="scheduling.source-cadre-enrolment", source_factory=factory,  # type: ignore[arg-type]
                        handler=handler, dlq_sink=NoSink(), clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, 5)
    return made


async def test_a_wedged_member_is_replaced() -> None:
    made = await _run(lag=4)
    assert len(made) >= 2, "the wedged member was never replaced"
    assert all(s.closed for s in made)


async def test_an_idle_member_is_kept() -> None:
    made = await _run(lag=0)
    assert len(made) == 1
