"""Scheduling's composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.scheduling.activities import SchedulingActivities
from services.scheduling.api import units as api
from services.scheduling.consumers import consumers
from services.scheduling.models import INFRA, metadata
from shared.process import ServiceRuntime, ServiceSpec, database_service


def activities(rt: ServiceRuntime) -> Sequence[Callable[..., Any]]:
    """The activities scheduling hosts."""
    assert rt.ctx is not None
    return SchedulingActivities(rt.ctx).all()


def routers() -> Sequence[Any]:
    """Scheduling's HTTP routers."""
    from services.scheduling.api import catalogue, classes, enrolment
    from services.scheduling.api.reports import router as reports_router

    return [api.router, catalogue.router, classes.router, enrolment.router, reports_router]


def spec() -> ServiceSpec:
    """How to run scheduling."""
    return database_service(name="scheduling", title="Cadreflow — Kế hoạch và lớp học (scheduling)",
                            metadata=metadata, infra=INFRA, routers=routers, activities=activities,
                            consumers=consumers)
