"""Activities retried more than N times: a worker interceptor reads each attempt's number (activity.info().attempt).

- ``cadre_activity_attempts_over_limit_total{activity_type, task_queue}`` counts every attempt beyond the limit;
- ``cadre_activities_retrying{activity_type, task_queue}`` is, at scrape time, the number of activity executions
  whose latest attempt was beyond the limit and that have not finished since (succeeded, failed for good, or were
  cancelled). An execution not seen again within ``forget_after_seconds`` (its workflow was terminated, another
  worker took the next attempt) drops out. Every activity type the worker ran shows, 0 when none retries (a zero
  baseline: the alert and `cadre status` tell "none" from "not reported").
The limit is ``Settings.activity_attempts_alert``; the alert CadreActivityRetrying reads the gauge.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from shared.metrics import ACTIVITY_ATTEMPTS_OVER_LIMIT

GAUGE = "cadre_activities_retrying"
Key = tuple[str, str, str]  # workflow id, run id, activity id


@dataclass
class _Retrying:
    activity_type: str
    task_queue: str
    attempt: int
    seen: float


class RetryingActivities(Collector):
    """The executions beyond the limit, as a gauge computed when Prometheus scrapes."""

    def __init__(self, *, forget_after_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.forget_after = forget_after_seconds
        self._clock = clock
        self._lock = threading.Lock()  # scrapes may come from another thread
        self._open: dict[Key, _Retrying] = {}
        self._seen: set[tuple[str, str]] = set()

    def ran(self, *, activity_type: str, task_queue: str) -> None:
        """An attempt of this activity type began (any attempt: it gets its zero baseline)."""
        pair = (activity_type, task_queue)
        if pair not in self._seen:
            with self._lock:
                self._seen.add(pair)

    def attempt(self, key: Key, *, activity_type: str, task_queue: str, attempt: int) -> None:
        """An attempt beyond the limit began."""
        with self._lock:
            self._open[key] = _Retrying(activity_type, task_queue, attempt, self._clock())

    def finished(self, key: Key) -> None:
        """The execution ended for good (or succeeded)."""
        with self._lock:
            self._open.pop(key, None)

    def counts(self) -> dict[tuple[str, str], int]:
        """Executions beyond the limit by (activity type, task queue), the forgotten ones dropped."""
        now = self._clock()
        with self._lock:
            for key in [k for k, r in self._open.items() if now - r.seen > self.forget_after]:
                del self._open[key]
            return dict(Counter((r.activity_type, r.task_queue) for r in self._open.values()))

    def baseline(self) -> dict[tuple[str, str], int]:
        """``counts()`` with a 0 for every activity type run and not retrying beyond the limit."""
        counts = self.counts()
        with self._lock:
            return {**dict.fromkeys(self._seen, 0), **counts}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(GAUGE, "Activity executions whose latest attempt is beyond the alert limit",
                                   labels=["activity_type", "task_queue"])
        for (activity_type, task_queue), n in sorted(self.baseline().items()):
            family.add_metric([activity_type, task_queue], n)
        yield family


_registered: list[RetryingActivities] = []


def retrying_activities() -> RetryingActivities:
    """The process's one collector, registered with prometheus-client on first use (not at import)."""
    if not _registered:
        tracker = RetryingActivities()
        REGISTRY.register(tracker)
        _registered.append(tracker)
    return _registered[0]


def _final(exc: BaseException) -> bool:
    """Whether Temporal will not try the activity again after this error."""
    if isinstance(exc, asyncio.CancelledError):
        return True
    if isinstance(exc, ApplicationError) and exc.non_retryable:
        return True
    info = activity.info()
    maximum = info.retry_policy.maximum_attempts if info.retry_policy is not None else 0
    return bool(maximum) and info.attempt >= maximum


class _CountAttempts(ActivityInboundInterceptor):
    def __init__(self, nxt: ActivityInboundInterceptor, limit: int, tracker: RetryingActivities) -> None:
        super().__init__(nxt)
        self._limit, self._tracker = limit, tracker

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        key = (info.workflow_id or "", info.workflow_run_id or "", info.activity_id)
        self._tracker.ran(activity_type=info.activity_type, task_queue=info.task_queue)
        if info.attempt > self._limit:
            ACTIVITY_ATTEMPTS_OVER_LIMIT.labels(info.activity_type, info.task_queue).inc()
            self._tracker.attempt(key, activity_type=info.activity_type, task_queue=info.task_queue,
                                  attempt=info.attempt)
        try:
            result = await super().execute_activity(input)
        except BaseException as exc:
            if _final(exc):
                self._tracker.finished(key)
            raise
        self._tracker.finished(key)
        return result


class ActivityAttempts(Interceptor):
    """The worker interceptor: ``interceptors=[ActivityAttempts(limit=settings.activity_attempts_alert)]``."""

    def __init__(self, *, limit: int, tracker: RetryingActivities | None = None) -> None:
        self.limit = limit
        self.tracker = tracker or retrying_activities()

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CountAttempts(next, self.limit, self.tracker)
