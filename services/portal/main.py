"""The portal's composition root (the approvers' inbox)."""

from __future__ import annotations

from services.portal.models import INFRA, metadata
from shared.process import ServiceSpec, database_service


def spec() -> ServiceSpec:
    """How to run the portal."""
    return database_service(name="portal", title="Cadreflow — Hộp công việc (portal)", metadata=metadata,
                            infra=INFRA, routers=lambda: [])
