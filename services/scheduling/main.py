"""Scheduling's composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.scheduling import api
from services.scheduling.activities import SchedulingActivities
from services.scheduling.models import INFRA, metadata
from shared.process import ServiceRuntime, ServiceSpec, database_service


def activities(rt: ServiceRuntime) -> Sequence[Callable[..., Any]]:
    """The activities scheduling hosts."""
    assert rt.ctx is not None
    acts = SchedulingActivities(rt.ctx)
    return [acts.record_unit]


def spec() -> ServiceSpec:
    """How to run scheduling."""
    return database_service(name="scheduling", title="Cadreflow — Kế hoạch và lớp học (scheduling)",
                            metadata=metadata, infra=INFRA, routers=lambda: [api.router], activities=activities)
