"""Registration's consumers: scheduling's ClassCompleted becomes each participant's training record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from services.registration.models import Official, TrainingRecord
from shared.context import ServiceContext
from shared.events.consumer import Consumer, Poison, idempotent
from shared.events.envelope import CloudEvent, topic_of
from shared.events.factory import open_source
from shared.logging import get_logger
from shared.process import ServiceRuntime
from shared.uow import UnitOfWork

log = get_logger(__name__)
TRAINING_RECORDS_GROUP = "registration.training-records"


async def record_class_completed(uow: UnitOfWork, event: CloudEvent) -> None:
    """One training record per participant and class; a participant recorded before is left alone."""
    d = event.data
    try:
        start, end = date.fromisoformat(d["start_date"]), date.fromisoformat(d["end_date"])
        participants = list(d["participants"])
    except (KeyError, ValueError, TypeError) as exc:
        raise Poison(f"ClassCompleted without a readable {exc}") from exc
    try:
        ids = list(dict.fromkeys(str(p["official_id"]) for p in participants))
    except (KeyError, TypeError) as exc:
        raise Poison(f"ClassCompleted with a participant without a readable {exc}") from exc
    # two queries a class (its officials, and which of them hold a record of it already), not two a participant
    officials = {o.id: o for o in (await uow.session.execute(select(Official).where(Official.id.in_(ids)))).scalars()}
    known = set((await uow.session.execute(select(TrainingRecord.official_id).where(
        TrainingRecord.class_id == str(d["class_id"]), TrainingRecord.official_id.in_(ids)))).scalars())
    for p in participants:
        official = officials.get(str(p["official_id"]))
        if official is None:
            log.warning("training_record_unknown_official", class_id=d["class_id"])
            continue
        if official.id in known:
            continue
        known.add(official.id)
        uow.session.add(TrainingRecord(
            id=str(uuid.uuid4()), official_id=official.id, unit_code=str(p.get("unit_code") or official.unit_code),
            class_id=str(d["class_id"]), class_code=str(d["class_code"]), programme_code=str(d["programme_code"]),
            programme_category=str(d["programme_category"]), year=int(d["year"]), start_date=start, end_date=end,
            hours=float(p["hours"]), result=str(p["result"]), certificate_no=p.get("certificate_no"),
            source_event_id=event.id))
    log.info("class_completed_recorded", class_id=d["class_id"], participants=len(participants))


def consumers(rt: ServiceRuntime) -> Sequence[Consumer]:
    """The consumer of scheduling's topic (ClassCompleted → training records)."""
    assert rt.ctx is not None
    ctx: ServiceContext = rt.ctx
    settings = rt.settings
    return [Consumer(group=TRAINING_RECORDS_GROUP,
                     handler=idempotent(ctx, TRAINING_RECORDS_GROUP, record_class_completed), dlq_sink=rt.sink,
                     max_retries=settings.consumer_max_retries, event_types=frozenset({"ClassCompleted"}),
                     source_factory=lambda: open_source(settings, group=TRAINING_RECORDS_GROUP,
                                                        topics=[topic_of("scheduling")]))]
