"""Keeping the other services' audit checkpoints, so no service can shorten or rewrite its own chain unnoticed.

Each service's relay publishes its chain's head as ``AuditCheckpointed`` (shared.events.relay) on a topic of their
own (``AUDIT_CHECKPOINT_TOPIC``: a few events a minute at most, where the services' topics carry all the others).
Every other service keeps those checkpoints in its own database (``audit_checkpoints``), which the chain's owner
cannot write; ``cadre audit verify`` holds each chain to the latest checkpoint the others kept and reports a missing
tail or a rewritten record.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from shared.context import ServiceContext
from shared.events.consumer import Consumer, Poison, idempotent
from shared.events.envelope import AUDIT_CHECKPOINT_TOPIC, CloudEvent
from shared.events.factory import open_source
from shared.logging import get_logger
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from shared.process import ServiceRuntime

log = get_logger(__name__)


def keeper_group(service: str) -> str:
    """The consumer group through which a service keeps the other services' checkpoints."""
    return f"{service}.audit-checkpoints"


async def keep_checkpoint(uow: UnitOfWork, event: CloudEvent) -> None:
    """Store one checkpoint of another service's chain (a repeat of a known one changes nothing)."""
    try:
        chain, seq, digest = str(event.data["chain"]), int(event.data["seq"]), str(event.data["hash"])
        at = str(event.data.get("checkpointed_at") or "")
    except (KeyError, TypeError, ValueError) as exc:
        raise Poison(f"AuditCheckpointed without a usable {exc}") from exc
    if chain == uow.ctx.service:
        return  # a service never vouches for its own chain
    t = uow.ctx.tables.checkpoints
    known = (await uow.session.execute(select(t.c.hash).where(t.c.chain == chain, t.c.seq == seq))).first()
    if known is not None:
        if known.hash != digest:  # the owner published a different head for the same record: it was rewritten
            log.error("audit_checkpoint_conflict", chain=chain, seq=seq, kept=known.hash, published=digest)
        return
    await uow.session.execute(insert(t).values(chain=chain, seq=seq, hash=digest, checkpointed_at=at,
                                               event_id=event.id, received_at=datetime.now(UTC)))


def checkpoint_keeper(rt: ServiceRuntime) -> Consumer:
    """The consumer that keeps the other services' AuditCheckpointed events in this service's database."""
    assert rt.ctx is not None
    ctx: ServiceContext = rt.ctx
    settings = rt.settings
    group = keeper_group(ctx.service)
    topics = [AUDIT_CHECKPOINT_TOPIC]  # every chain's heads, its own included (keep_checkpoint skips those)
    return Consumer(group=group, handler=idempotent(ctx, group, keep_checkpoint), dlq_sink=rt.sink,
                    max_retries=settings.consumer_max_retries, event_types=frozenset({"AuditCheckpointed"}),
                    source_factory=lambda: open_source(settings, group=group, topics=topics))
