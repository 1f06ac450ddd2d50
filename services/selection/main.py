"""Selection's composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.selection.activities import SelectionActivities
from services.selection.adapters.directory import HttpOfficialDirectory
from services.selection.api import campaign_status as reads
from services.selection.api import campaigns as api
from services.selection.models import INFRA, metadata
from shared.process import ServiceRuntime, ServiceSpec, database_service


def activities(rt: ServiceRuntime) -> Sequence[Callable[..., Any]]:
    """Selection's activities, reading officials from registration over HTTP."""
    assert rt.ctx is not None
    return SelectionActivities(rt.ctx, HttpOfficialDirectory(rt.settings)).all()


def spec() -> ServiceSpec:
    """How to run selection."""
    return database_service(name="selection", title="Cadreflow — Tuyển chọn cán bộ nguồn (selection)",
                            metadata=metadata, infra=INFRA, routers=lambda: [api.router, reads.read_router],
                            activities=activities,
                            extra_state=lambda rt: {"directory": HttpOfficialDirectory(rt.settings)})
