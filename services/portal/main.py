"""The portal's composition root (the approvers' inbox): API, web UI, activities, gauges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter

from services.portal import pages
from services.portal.activities import PortalActivities
from services.portal.adapters.people import load_directory
from services.portal.adapters.updates import TemporalUpdateSender
from services.portal.api import record, substitutes, ui
from services.portal.api import tasks as api
from services.portal.config import PortalSettings
from services.portal.models import INFRA, metadata
from services.portal.service.gauges import refresher
from services.portal.service.reconciler import reconciling
from shared.process import ServiceRuntime, ServiceSpec, database_service
from shared.seal import load_signer


def activities(rt: ServiceRuntime) -> Sequence[Callable[..., Any]]:
    """The activities the portal hosts on the `portal` queue."""
    assert rt.ctx is not None
    return PortalActivities(rt.ctx, load_directory(rt.settings, PortalSettings())).all()


def extra_state(rt: ServiceRuntime) -> dict[str, Any]:
    """What the portal's routes need besides the database: the Update sender and the portal's settings."""
    portal = PortalSettings()
    signer = load_signer(rt.settings)  # outside the embedded profile a missing key stops the portal here
    return {"update_sender": TemporalUpdateSender(connect=rt.temporal.client, signer=signer),
            "portal_settings": portal, "directory": load_directory(rt.settings, portal)}


def routers() -> list[APIRouter]:
    """The inbox API, the web UI (with its record and delegation pages), the gauge refresher and the reconciler of
    tasks left completing (router lifespans)."""
    return [api.router, substitutes.router, ui.router, record.router, pages.build_router(),
            APIRouter(lifespan=refresher()), APIRouter(lifespan=reconciling())]


def spec() -> ServiceSpec:
    """How to run the portal."""
    return database_service(name="portal", title="Cadreflow — Hộp công việc (portal)", metadata=metadata,
                            infra=INFRA, routers=routers, activities=activities, extra_state=extra_state)
