"""Periodic audit-chain verification for monitoring: sets ``cadre_audit_chain_verified{service}`` (1 ok, 0 broken)."""

from __future__ import annotations

from shared import audit as audit_chain
from shared.context import ServiceContext
from shared.logging import get_logger
from shared.metrics import AUDIT_CHAIN_OK

log = get_logger(__name__)


async def verify_and_record(ctx: ServiceContext) -> bool | None:
    """Recompute the service's audit chains; record the outcome in the gauge; None when it could not be checked."""
    try:
        async with ctx.sessions() as session:
            results = await audit_chain.verify(session, ctx.tables.audit)
    except Exception as exc:  # the database may be down: readiness reports that; keep the last known value
        log.warning("audit_watch_unavailable", service=ctx.service, error=repr(exc))
        return None
    ok = all(r.ok for r in results)
    AUDIT_CHAIN_OK.labels(ctx.service).set(1 if ok else 0)
    for r in results:
        if not r.ok:
            log.error("audit_chain_broken", service=ctx.service, chain=r.chain, first_bad_seq=r.first_bad_seq,
                      record_id=r.first_bad_record_id, problem=r.problem)
    return ok
