"""Postgraduate dispatches: conditions and commitment by the rule in force at dispatch, refund on leaving early."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registration.adapters.policies import book, in_force
from services.registration.domain.dispatch import commitment_months, refund_due, unmet_conditions
from services.registration.models import Official, PostgraduateDispatch
from services.registration.schemas import DispatchCreate, DispatchLeave, DispatchRead
from services.registration.service.authority import authority_of, authority_record, recorded_body
from shared.actors import actor_of
from shared.audit import AuditEntry
from shared.auth import Principal
from shared.authz import authorize_managing_body
from shared.errors import FieldError, Problem, conflict, invalid
from shared.policy import PolicyNotInForceError
from shared.retirement import BirthDate, add_months, full_months_between
from shared.uow import UnitOfWork


def conditions_unmet(version_id: str, source_vi: str, source_en: str, unmet: list[tuple[str, str]]) -> Problem:
    """422: the official does not meet the dispatch conditions of the rule in force, each one in words."""
    return Problem(422, "dispatch_conditions_unmet", "The dispatch conditions are not met",
                   "Chưa đủ điều kiện cử đi đào tạo", f"Not met under {source_en} ({version_id}): "
                   + "; ".join(en for _, en in unmet), f"Chưa đạt theo {source_vi} ({version_id}): "
                   + "; ".join(vi for vi, _ in unmet),
                   [FieldError("official_id", "postgraduate_dispatch", en, vi) for vi, en in unmet])


def line(d: PostgraduateDispatch) -> tuple[str, str]:
    """The dispatch as a line of the official's record (vi, en)."""
    vi = (f"Cử đi đào tạo {d.programme_code} ngày {d.dispatched_on.strftime('%d/%m/%Y')}, {d.training_months} tháng;"
          f" cam kết phục vụ {d.commitment_months} tháng (quy định {d.policy_version})")
    en = (f"Dispatched to {d.programme_code} on {d.dispatched_on.isoformat()} for {d.training_months} months;"
          f" committed to serve {d.commitment_months} months (rule {d.policy_version})")
    if d.left_on is not None:
        vi += (f". Nghỉ việc ngày {d.left_on.strftime('%d/%m/%Y')} khi đã phục vụ {d.served_months}/"
               f"{d.commitment_months} tháng: bồi hoàn {d.refund:,} đồng".replace(",", "."))
        en += (f". Left on {d.left_on.isoformat()} after serving {d.served_months}/{d.commitment_months} months:"
               f" refund {d.refund:,} đồng")
    return vi, en


def read(d: PostgraduateDispatch) -> DispatchRead:
    """A dispatch as the API returns it."""
    vi, en = line(d)
    return DispatchRead(id=d.id, official_id=d.official_id, programme_code=d.programme_code,
                        dispatched_on=d.dispatched_on, training_months=d.training_months, cost=d.cost,
                        commitment_months=d.commitment_months, policy_version=d.policy_version,
                        returned_on=d.returned_on, left_on=d.left_on, served_months=d.served_months,
                        refund=d.refund, line_vi=vi, line_en=en, managing_body=d.managing_body,
                        authority_rule=d.authority_rule)


async def dispatches_of(session: AsyncSession, official_id: str) -> list[PostgraduateDispatch]:
    """An official's dispatches, oldest first."""
    return list((await session.execute(select(PostgraduateDispatch).where(
        PostgraduateDispatch.official_id == official_id).order_by(PostgraduateDispatch.dispatched_on))).scalars())


async def dispatch(uow: UnitOfWork, *, official: Official, data: DispatchCreate,
                   principal: Principal) -> PostgraduateDispatch:
    """Check the conditions by the rule in force on the dispatch date; record the commitment it sets. Only the
    approvers of the body that manages the official (management authority on the dispatch date) may record it."""
    actor = actor_of(principal)
    try:
        policy = in_force("postgraduate_dispatch", data.dispatched_on)
    except PolicyNotInForceError as exc:
        raise invalid("dispatched_on", "policy_not_in_force", str(exc),
                      f"Không có quy định cử đi đào tạo sau đại học áp dụng vào ngày "
                      f"{data.dispatched_on.strftime('%d/%m/%Y')}") from exc
    earlier = (await uow.session.execute(select(func.count()).select_from(PostgraduateDispatch).where(
        PostgraduateDispatch.official_id == official.id))).scalar_one()
    birth = BirthDate(official.birth_year, official.birth_month, official.birth_day)
    unmet = unmet_conditions(birth=birth, service_start=official.service_start,
                             ratings={int(y): r for y, r in (official.ratings or {}).items()}, policy=policy,
                             on=data.dispatched_on, first_dispatch=not earlier)
    if unmet:
        raise conditions_unmet(policy.version_id, policy.source.vi, policy.source.en, unmet)
    authority = authority_of(official, data.dispatched_on, field_name="dispatched_on")
    authorize_managing_body(principal, authority.approver_roles, body_vi=authority.body_vi, body_en=authority.body_en)
    row = PostgraduateDispatch(
        id=str(uuid.uuid4()), official_id=official.id, programme_code=data.programme_code,
        dispatched_on=data.dispatched_on, training_months=data.training_months, cost=data.cost,
        commitment_months=commitment_months(data.training_months, policy), policy_version=policy.version_id,
        returned_on=data.returned_on, recorded_by=actor.user_id, recorded_at=datetime.now(UTC),
        managing_body=authority.body, authority_rule=f"{authority.version_id}#{authority.rule_id}")
    uow.session.add(row)
    await uow.session.flush()
    vi, en = line(row)
    uow.audit(AuditEntry(actor=actor, action="dispatch.postgraduate", subject=f"official:{official.id}",
                         reason_vi=vi, reason_en=en, policy_version=policy.version_id,
                         inputs={**data.model_dump(mode="json"), "dispatch_id": row.id,
                                 "rule_date": data.dispatched_on.isoformat(), "first_dispatch": not earlier,
                                 "commitment_months": row.commitment_months,
                                 "management_authority": authority_record(authority)}))
    return row


async def leave(uow: UnitOfWork, *, row: PostgraduateDispatch, data: DispatchLeave, principal: Principal) -> None:
    """Leaving before the commitment is served: the refund by the rule recorded at dispatch, recorded by the
    approvers of the body recorded at dispatch (any dispatch.write holder for one recorded before that was kept)."""
    body = recorded_body(row.authority_rule, row.managing_body)
    if body is not None:
        authorize_managing_body(principal, body.approver_roles, body_vi=body.vi, body_en=body.en)
    actor = actor_of(principal)
    if row.left_on is not None:
        raise conflict("already_left", "This dispatch already records leaving service",
                       "Đợt cử đi học này đã ghi nhận nghỉ việc", field_name="left_on")
    policy = book().version(row.policy_version)
    returned = data.returned_on or row.returned_on or add_months(row.dispatched_on, row.training_months)
    served = full_months_between(returned, data.left_on) if data.left_on >= returned else 0
    row.returned_on, row.left_on, row.served_months = returned, data.left_on, served
    row.refund = int(refund_due(cost=Decimal(row.cost), owed_months=row.commitment_months, served_months=served,
                                policy=policy))
    await uow.session.flush()
    vi, en = line(row)
    uow.audit(AuditEntry(actor=actor, action="dispatch.leave", subject=f"official:{row.official_id}",
                         reason_vi=vi, reason_en=en, policy_version=policy.version_id,
                         inputs={"dispatch_id": row.id, **data.model_dump(mode="json"),
                                 "returned_on": returned.isoformat(), "t1_months": row.commitment_months,
                                 "t2_months": served, "cost": row.cost, "refund": row.refund}))
