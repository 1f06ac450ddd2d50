"""The campaign benchmark's baseline: a bare workflow running no-op activities (kept free of other imports so
the workflow sandbox validates it quickly)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench.noop")
async def noop(i: int) -> int:
    """A no-op activity."""
    return i


@workflow.defn(name="BenchBare")
class BenchBare:
    """`total` no-op activities in concurrent batches of `batch`."""

    @workflow.run
    async def run(self, args: list[int]) -> int:
        total, batch = args
        done = 0
        while done < total:
            size = min(batch, total - done)
            await asyncio.gather(*(workflow.execute_activity(
                "bench.noop", done + i, task_queue="bench", start_to_close_timeout=timedelta(seconds=60))
                for i in range(size)))
            done += size
        return done
