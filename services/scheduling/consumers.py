"""Scheduling's consumers: approved registrations and selected source cadres become enrolment requests."""

from __future__ import annotations

from collections.abc import Sequence

from shared.context import ServiceContext
from shared.events.consumer import Consumer, Poison, idempotent
from shared.events.envelope import CloudEvent, topic_of
from shared.events.factory import open_source
from shared.process import ServiceRuntime
from shared.uow import UnitOfWork

REGISTRATION_GROUP = "scheduling.enrolment-requests"
SELECTION_GROUP = "scheduling.source-cadre-enrolment"


async def on_registration_approved(uow: UnitOfWork, event: CloudEvent) -> None:
    """An approved registration: enrol into its class if it names one, else keep it pending for the Board."""
    from services.scheduling.service.requests import request_enrolment

    d = event.data
    try:
        await request_enrolment(uow, event_id=event.id, source="registration", source_ref=str(d["registration_id"]),
                                official_id=str(d["official_id"]), official_name=str(d.get("official_name") or ""),
                                unit_code=str(d["unit_code"]), programme_code=str(d["programme_code"]),
                                plan_year=int(d["plan_year"]), class_id=d.get("class_id") or None)
    except (KeyError, TypeError, ValueError) as exc:
        raise Poison(f"RegistrationApproved without a usable {exc}") from exc


async def on_candidates_selected(uow: UnitOfWork, event: CloudEvent) -> None:
    """Each selected candidate goes into the group's source-cadre class (or waits for the Board to place them)."""
    from services.scheduling.service.requests import request_enrolment

    d = event.data
    try:
        candidates = list(d["candidates"])
        class_id = d.get("class_id") or None
        for c in candidates:
            await request_enrolment(uow, event_id=event.id, source="selection", source_ref=str(d["decision_number"]),
                                    official_id=str(c["official_id"]), official_name=str(c.get("full_name") or ""),
                                    unit_code=str(c["unit_code"]), programme_code=None, plan_year=None,
                                    class_id=class_id)
    except (KeyError, TypeError) as exc:
        raise Poison(f"CandidatesSelected without a usable {exc}") from exc


def _consumer(rt: ServiceRuntime, ctx: ServiceContext, group: str, topic: str, event_type: str,
              effect: object) -> Consumer:
    settings = rt.settings
    return Consumer(group=group, handler=idempotent(ctx, group, effect),  # type: ignore[arg-type]
                    dlq_sink=rt.sink, max_retries=settings.consumer_max_retries,
                    event_types=frozenset({event_type}),
                    source_factory=lambda: open_source(settings, group=group, topics=[topic]))


def consumers(rt: ServiceRuntime) -> Sequence[Consumer]:
    """Scheduling's consumer groups."""
    assert rt.ctx is not None
    return [
        _consumer(rt, rt.ctx, REGISTRATION_GROUP, topic_of("registration"), "RegistrationApproved",
                  on_registration_approved),
        _consumer(rt, rt.ctx, SELECTION_GROUP, topic_of("selection"), "CandidatesSelected", on_candidates_selected),
    ]
