"""A throwaway SQLite-backed service context for unit tests of the shared library."""

from __future__ import annotations

from pathlib import Path

from services.registration.models import INFRA, metadata
from shared.config import Settings
from shared.context import ServiceContext, build_context


async def sqlite_context(tmp: Path, service: str = "registration") -> ServiceContext:
    """Registration's tables on a fresh SQLite file (created from the models, no migrations)."""
    settings = Settings(data_dir=tmp)
    ctx = build_context(service, settings, metadata, INFRA)
    async with ctx.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return ctx
