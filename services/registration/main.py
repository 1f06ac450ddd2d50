"""Registration's composition root: the one place its app, worker and consumers are built."""

from __future__ import annotations

from services.registration import api
from services.registration.models import INFRA, metadata
from shared.process import ServiceSpec, database_service


def spec() -> ServiceSpec:
    """How to run registration."""
    return database_service(name="registration", title="Cadreflow — Đăng ký (registration)", metadata=metadata,
                            infra=INFRA, routers=lambda: [api.router])
