"""GET /audit?subject=… on every service: a subject's decisions, for the auditor role."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of


def audit_router() -> APIRouter:
    """The audit read routes of a service."""
    router = APIRouter(tags=["audit"])

    @router.get("/audit")
    async def list_audit(request: Request, _: Annotated[Principal, Depends(allowed("audit.read"))],
                         subject: Annotated[str, Query(min_length=1, max_length=200)],
                         limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
        """A subject's audit records, oldest first, with their hashes."""
        ctx = ctx_of(request)
        t = ctx.tables.audit
        async with ctx.sessions() as session:
            rows = (await session.execute(
                select(t).where(t.c.subject == subject).order_by(t.c.seq).limit(limit))).all()
        return [{**json.loads(r.body), "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]

    return router
