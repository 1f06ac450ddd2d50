"""Registration's composition root: the one place its app, worker and consumers are built."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.registration.activities import RegistrationActivities
from services.registration.adapters.catalogue import HttpSchedulingCatalogue
from services.registration.api import dispatches as api_dispatches
from services.registration.api import officials as api_officials
from services.registration.api import registrations as api_registrations
from services.registration.api import units as api
from services.registration.consumers import consumers
from services.registration.models import INFRA, metadata
from shared.process import ServiceRuntime, ServiceSpec, database_service


def activities(rt: ServiceRuntime) -> Sequence[Callable[..., Any]]:
    """The activities registration hosts."""
    assert rt.ctx is not None
    return RegistrationActivities(rt.ctx).all()


def spec() -> ServiceSpec:
    """How to run registration."""
    return database_service(name="registration", title="Cadreflow — Đăng ký (registration)", metadata=metadata,
                            infra=INFRA, routers=lambda: [api.router, api_officials.router, api_registrations.router,
                                                     api_dispatches.router],
                            activities=activities, consumers=consumers,
                            extra_state=lambda rt: {"catalogue": HttpSchedulingCatalogue(rt.settings)})
