"""What the routes share: the service context, the Temporal client and error translation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from services.scheduling.service.classes import lifecycle_id
from shared.context import ctx_of
from shared.errors import conflict
from shared.logging import get_logger
from shared.metrics import WORKFLOW_EVENTS
from shared.uow import UnitOfWork, unit_of_work
from workflows.contracts import WORKFLOWS_QUEUE, ClassLifecycleInput

log = get_logger(__name__)



@asynccontextmanager
async def write(request: Request, *, race_field: str, race_en: str, race_vi: str) -> AsyncIterator[UnitOfWork]:
    """A unit of work whose unique-constraint race becomes a 409 naming the field."""
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            yield uow
    except IntegrityError as exc:
        raise conflict("conflict", race_en, race_vi, field_name=race_field) from exc


async def start_lifecycle(request: Request, class_id: str, class_code: str) -> bool:
    """Start the class's lifecycle workflow (idempotent by id); False when Temporal cannot be reached."""
    try:
        client = await request.app.state.runtime.temporal.client()
        await client.start_workflow("ClassLifecycle", ClassLifecycleInput(class_id, class_code),
                                    id=lifecycle_id(class_id), task_queue=WORKFLOWS_QUEUE,
                                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
        WORKFLOW_EVENTS.labels("ClassLifecycle", "started").inc()
    except WorkflowAlreadyStartedError:
        log.info("workflow_already_started", workflow_id=lifecycle_id(class_id))
    except Exception as exc:
        log.warning("lifecycle_start_failed", class_id=class_id, error=repr(exc))
        return False
    return True


async def signal_lifecycle(request: Request, class_id: str, signal: str) -> bool:
    """Signal the class's lifecycle; False when it cannot be reached (the workflow also polls)."""
    try:
        client = await request.app.state.runtime.temporal.client()
        await client.get_workflow_handle(lifecycle_id(class_id)).signal(signal)
    except Exception as exc:
        log.warning("lifecycle_signal_failed", class_id=class_id, signal=signal, error=repr(exc))
        return False
    return True
