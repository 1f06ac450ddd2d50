"""Selection's composition root."""

from __future__ import annotations

from services.selection.models import INFRA, metadata
from shared.process import ServiceSpec, database_service


def spec() -> ServiceSpec:
    """How to run selection."""
    return database_service(name="selection", title="Cadreflow — Tuyển chọn cán bộ nguồn (selection)",
                            metadata=metadata, infra=INFRA, routers=lambda: [])
