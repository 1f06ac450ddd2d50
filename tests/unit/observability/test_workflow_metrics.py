"""The workflow-runs interceptor on the time-skipping server, with the SDK's Prometheus exporter read back."""

from __future__ import annotations

import re
import socket
import urllib.request
import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from shared.workflow_metrics import METRIC, WorkflowMetrics
from tests.support.tools import start_time_skipping


@workflow.defn(name="MetricsProbe")
class MetricsProbe:
    """Succeeds, fails (application error) or continues as new, as asked."""

    @workflow.run
    async def run(self, outcome: str) -> str:
        await workflow.sleep(timedelta(seconds=5))  # a timer: the run is replayed from history afterwards
        if outcome == "fail":
            raise ApplicationError("refused on purpose", non_retryable=True)
        if outcome == "again":
            workflow.continue_as_new("ok")
        return outcome


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runs(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(METRIC) and 'workflow_type="MetricsProbe"' in line:
            transition = re.search(r'transition="([a-z_]+)"', line)
            assert transition is not None, line
            out[transition.group(1)] = out.get(transition.group(1), 0) + float(line.rsplit(" ", 1)[1])
    return out


@pytest.mark.asyncio
async def test_runs_are_counted_once_by_type_and_transition() -> None:
    port = _free_port()
    runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}")))
    env = await start_time_skipping(runtime=runtime)
    async with env:
        client: Client = env.client
        queue = f"metrics-{uuid.uuid4()}"
        # max_cached_workflows=0: every workflow task replays the history, which must not count again
        async with Worker(client, task_queue=queue, workflows=[MetricsProbe], interceptors=[WorkflowMetrics()],
                          max_cached_workflows=0):
            assert await client.execute_workflow(MetricsProbe.run, "ok", id=str(uuid.uuid4()),
                                                 task_queue=queue) == "ok"
            with pytest.raises(WorkflowFailureError):
                await client.execute_workflow(MetricsProbe.run, "fail", id=str(uuid.uuid4()), task_queue=queue)
            assert await client.execute_workflow(MetricsProbe.run, "again", id=str(uuid.uuid4()),
                                                 task_queue=queue) == "ok"
    # ok, fail, again and its continuation: four runs
    assert _runs(port) == {"started": 4, "completed": 2, "failed": 1, "continued_as_new": 1}
