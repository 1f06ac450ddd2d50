"""GET /audit?subject=… on every service: a subject's decisions, for the auditor role."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from shared.audit import verify
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

    @router.get("/audit/recent")
    async def recent_audit(request: Request, _: Annotated[Principal, Depends(allowed("audit.read"))],
                           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        """The service's latest audit records, newest first (the auditor's page)."""
        ctx = ctx_of(request)
        t = ctx.tables.audit
        async with ctx.sessions() as session:
            rows = (await session.execute(select(t).order_by(t.c.seq.desc(), t.c.chain).limit(limit))).all()
        return [{**json.loads(r.body), "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]

    @router.get("/audit/verify")
    async def verify_audit(request: Request, _: Annotated[Principal, Depends(allowed("audit.verify"))],
                           ) -> list[dict[str, Any]]:
        """Every chain of the service recomputed from its first record: intact, or the first bad record and why
        (what `cadre audit verify` computes, over HTTP for the auditor's page)."""
        ctx = ctx_of(request)
        async with ctx.sessions() as session:
            results = await verify(session, ctx.tables.audit)
        return [{"chain": r.chain, "records": r.records, "ok": r.ok, "first_bad_seq": r.first_bad_seq,
                 "problem": r.problem} for r in results]

    return router
