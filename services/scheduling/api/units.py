"""Scheduling's HTTP routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from services.scheduling.models import KnownUnit
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of
from shared.vietnamese import sort_key

router = APIRouter(tags=["units"])


@router.get("/units")
async def known_units(request: Request,
                      _: Annotated[Principal, Depends(allowed("catalogue.read"))]) -> list[dict[str, Any]]:
    """Units scheduling knows (from registration's events), in Vietnamese order."""
    ctx = ctx_of(request)
    async with ctx.read_sessions() as session:
        units = (await session.execute(select(KnownUnit))).scalars().all()
    return [{"code": u.code, "name": u.name, "kind": u.kind, "recorded_at": u.recorded_at.isoformat()}
            for u in sorted(units, key=lambda u: sort_key(u.name))]
