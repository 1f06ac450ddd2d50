"""A router lifespan that runs one step now and then every so often while the API runs (the portal's gauges and its
reconciler of tasks left completing): a failing step is logged and tried again at the next turn."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from shared.logging import get_logger

log = get_logger(__name__)

Step = Callable[[], Awaitable[object]]


def periodic_lifespan(setup: Callable[[Any], tuple[Step, float]], *, failure_event: str) -> Any:
    """``setup(app)`` gives the step and the seconds between two steps; the step runs at start-up, then each period,
    until the app stops (the loop is cancelled)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        step, every = setup(app)

        async def loop() -> None:
            while True:
                try:
                    await step()
                except Exception as exc:
                    log.warning(failure_event, error=repr(exc))
                await asyncio.sleep(every)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan
