"""Activities retried more than N times: the worker interceptor on the time-skipping server, and its gauge."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from shared.activity_metrics import GAUGE, ActivityAttempts, RetryingActivities, retrying_activities
from tests.support.tools import start_time_skipping

LIMIT = 2
attempts_seen: list[int] = []
release = asyncio.Event()


@activity.defn(name="attempts.flaky")
async def flaky(succeed_at: int) -> int:
    """Fails (retryably) until its attempt `succeed_at`; 0: until the test releases it, then fails for good."""
    attempt = activity.info().attempt
    attempts_seen.append(attempt)
    if succeed_at == 0 and release.is_set():
        raise ApplicationError("given up", non_retryable=True)
    if succeed_at == 0 or attempt < succeed_at:
        raise RuntimeError(f"not yet ({attempt})")
    return attempt


@workflow.defn(name="AttemptsProbe", sandboxed=False)  # the test module imports prometheus-client
class AttemptsProbe:
    @workflow.run
    async def run(self, succeed_at: int) -> int:
        return int(await workflow.execute_activity(
            "attempts.flaky", succeed_at, result_type=int, start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=20), backoff_coefficient=1.0)))


def _over_limit(activity_type: str) -> float:
    value = REGISTRY.get_sample_value("cadre_activity_attempts_over_limit_total",
                                      {"activity_type": activity_type, "task_queue": QUEUE[0]})
    return value or 0.0


QUEUE: list[str] = [""]


@pytest.mark.asyncio
async def test_attempts_beyond_the_limit_are_counted_and_shown_while_retrying() -> None:
    tracker = RetryingActivities()
    QUEUE[0] = f"attempts-{uuid.uuid4().hex}"
    env = await start_time_skipping()
    async with env:
        client: Client = env.client
        async with Worker(client, task_queue=QUEUE[0], workflows=[AttemptsProbe], activities=[flaky],
                          interceptors=[ActivityAttempts(limit=LIMIT, tracker=tracker)]):
            before = _over_limit("attempts.flaky")
            # attempts 1..4: the 3rd and 4th are beyond the limit; success ends the execution's entry
            assert await client.execute_workflow(AttemptsProbe.run, 4, id=f"a-{uuid.uuid4().hex}",
                                                 task_queue=QUEUE[0]) == 4
            assert _over_limit("attempts.flaky") - before == 2
            assert tracker.counts() == {} and tracker.baseline() == {("attempts.flaky", QUEUE[0]): 0}

            # one that keeps failing: shown while it retries, gone once it fails for good
            attempts_seen.clear()
            handle = await client.start_workflow(AttemptsProbe.run, 0, id=f"b-{uuid.uuid4().hex}",
                                                 task_queue=QUEUE[0])
            for _ in range(500):
                if len(attempts_seen) > LIMIT + 1:
                    break
                await asyncio.sleep(0.02)
            assert tracker.counts() == {("attempts.flaky", QUEUE[0]): 1}
            registry = CollectorRegistry()
            registry.register(tracker)
            assert f'{GAUGE}{{activity_type="attempts.flaky",task_queue="{QUEUE[0]}"}} 1.0' in \
                generate_latest(registry).decode()
            release.set()
            with pytest.raises(WorkflowFailureError):
                await handle.result()
            assert tracker.counts() == {}
            assert max(attempts_seen) > LIMIT


def test_an_execution_not_seen_again_is_forgotten() -> None:
    now = [100.0]
    tracker = RetryingActivities(forget_after_seconds=60, clock=lambda: now[0])
    tracker.attempt(("wf", "run", "1"), activity_type="portal.close_task", task_queue="portal", attempt=7)
    tracker.attempt(("wf", "run", "2"), activity_type="portal.close_task", task_queue="portal", attempt=9)
    tracker.attempt(("wf2", "run", "1"), activity_type="selection.record_mark", task_queue="selection", attempt=6)
    assert tracker.counts() == {("portal.close_task", "portal"): 2, ("selection.record_mark", "selection"): 1}
    now[0] = 150.0
    tracker.attempt(("wf", "run", "1"), activity_type="portal.close_task", task_queue="portal", attempt=8)
    now[0] = 200.0  # the second and the third were not seen for 100 s
    assert tracker.counts() == {("portal.close_task", "portal"): 1}
    tracker.finished(("wf", "run", "1"))
    assert tracker.counts() == {}


def test_the_process_has_one_collector() -> None:
    assert retrying_activities() is retrying_activities()
    assert REGISTRY.get_sample_value(GAUGE, {"activity_type": "none", "task_queue": "none"}) is None
