"""A "there may be work" flag: set by whoever commits work (from any thread or event loop), awaited by the loop
that does the work (the outbox relay), so an idle relay can sleep long and still start at once."""

from __future__ import annotations

import asyncio


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Wakeup:
    """Set by the producers of work, cleared by the worker before it looks for work, waited on when it found none.

    Setting it is cheap and never blocks; a set that comes while nobody waits is kept until the next clear, so
    work committed between the worker's clear and its wait is never slept through."""

    def __init__(self) -> None:
        self._flag = False
        self._waiters: dict[asyncio.Future[None], asyncio.AbstractEventLoop] = {}

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        self._flag = True
        if not self._waiters:
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for fut, loop in list(self._waiters.items()):
            if loop is running:
                _resolve(fut)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, fut)

    def clear(self) -> None:
        self._flag = False

    async def wait(self, timeout: float) -> bool:
        """Wait until set or for `timeout` seconds; returns whether it is set."""
        if self._flag:
            return True
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._waiters[fut] = loop
        timer = loop.call_later(timeout, _resolve, fut)
        try:
            await fut
        finally:
            timer.cancel()
            self._waiters.pop(fut, None)
        return self._flag
