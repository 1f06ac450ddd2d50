"""What the routes share: the service context, the Temporal client and error translation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from sqlalchemy.exc import IntegrityError

from services.scheduling.service.classes import lifecycle_id
from shared.context import ctx_of
from shared.errors import conflict
from shared.logging import get_logger
from shared.uow import UnitOfWork, unit_of_work

log = get_logger(__name__)


@asynccontextmanager
async def write(request: Request, *, race_field: str, race_en: str, race_vi: str) -> AsyncIterator[UnitOfWork]:
    """A unit of work whose unique-constraint race becomes a 409 naming the field."""
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            yield uow
    except IntegrityError as exc:
        raise conflict("conflict", race_en, race_vi, field_name=race_field) from exc


async def signal_lifecycle(request: Request, class_id: str, signal: str) -> bool:
    """Signal the class's lifecycle; False when it cannot be reached (the workflow also polls)."""
    try:
        client = await request.app.state.runtime.temporal.client()
        await client.get_workflow_handle(lifecycle_id(class_id)).signal(signal)
    except Exception as exc:
        log.warning("lifecycle_signal_failed", class_id=class_id, signal=signal, error=repr(exc))
        return False
    return True
