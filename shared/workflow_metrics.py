"""Workflow runs by type and transition (started, completed, failed, cancelled, continued_as_new).

A Temporal worker interceptor records them through the SDK's workflow metric meter, which skips replays, so a run
is counted once however often its history is replayed. The SDK adds ``workflow_type``, ``task_queue`` and
``namespace``; the series appear on the process's /metrics with the other Temporal SDK metrics as
``cadre_workflow_runs{transition=…}``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

METRIC = "cadre_workflow_runs"


class _CountRuns(WorkflowInboundInterceptor):
    """Counts a run's start and its end; an exception that only fails a workflow task (a bug) is not an end."""

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        runs = workflow.metric_meter().create_counter(METRIC, "Workflow runs by type and transition")
        runs.add(1, {"transition": "started"})
        try:
            result = await super().execute_workflow(input)
        except workflow.ContinueAsNewError:
            runs.add(1, {"transition": "continued_as_new"})
            raise
        except asyncio.CancelledError:
            runs.add(1, {"transition": "cancelled"})
            raise
        except FailureError:
            runs.add(1, {"transition": "failed"})
            raise
        runs.add(1, {"transition": "completed"})
        return result


class WorkflowMetrics(Interceptor):
    """The worker interceptor: ``Worker(..., interceptors=[WorkflowMetrics()])``."""

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        return _CountRuns
