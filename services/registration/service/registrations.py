"""Training-need registration: every check at submission, one registration per person and key, decisions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.errors import NotFound
from contracts.registration import ApplyReviewDecisionInput, ApplyReviewDecisionResult
from services.registration.adapters.catalogue import ClassInfo, Programme, SchedulingCatalogue
from services.registration.adapters.policies import in_force
from services.registration.domain.checks import (
    Booking,
    Finding,
    Person,
    Submission,
    check_submission,
    outcome_of,
)
from services.registration.domain.rule_checks import rules_for
from services.registration.models import Official, PostgraduateDispatch, Registration
from services.registration.schemas import FindingRead, RegistrationCreate, RegistrationRead
from services.registration.service.authority import authority_of, authority_record
from services.registration.service.officials import birth_of
from services.registration.service.review_dossier import review_dossier
from shared.audit import Actor, AuditEntry
from shared.cadre_planning import in_planning_on
from shared.errors import Problem, invalid
from shared.policy import PolicyNotInForceError, PolicyVersion
from shared.uow import UnitOfWork

STATUS_OF = {"accepted": "accepted", "flagged": "under_review", "refused": "refused"}
OUTCOME_OF_STATUS = {"accepted": "accepted", "under_review": "flagged", "approved": "accepted",
                     "refused": "refused", "returned": "returned"}


def review_workflow_id(registration_id: str) -> str:
    """The review workflow's id: one per registration, so a redelivered event starts nothing new."""
    return f"registration-review-{registration_id}"


def active_key(official_id: str, programme_code: str, plan_year: int, class_id: str | None) -> str:
    """The key that admits one active registration per person, programme, year and class."""
    return f"{official_id}:{programme_code}:{plan_year}:{class_id or '-'}"


def read(r: Registration) -> RegistrationRead:
    """A registration as the API returns it."""
    return RegistrationRead(
        id=r.id, official_id=r.official_id, official_name=r.official_name, unit_code=r.unit_code,
        programme_code=r.programme_code, plan_year=r.plan_year, class_id=r.class_id, class_start=r.class_start,
        class_end=r.class_end, status=r.status, outcome=OUTCOME_OF_STATUS.get(r.status, r.status),
        findings=[FindingRead(**f) for f in r.findings], policy_version=r.policy_version, rule_date=r.rule_date,
        rule_date_source=r.rule_date_source,
        review_comment=r.review_comment, submitted_by=r.submitted_by, submitted_at=r.submitted_at,
        decided_by=r.decided_by, managing_body=r.managing_body, authority_rule=r.authority_rule,
        review_workflow_id=review_workflow_id(r.id) if r.status in ("under_review", "approved", "returned")
        and r.findings else None)


def duplicate_submission(existing_id: str) -> Problem:
    """409: the same person is already registered with this key; names the existing registration."""
    p = Problem(409, "duplicate_registration", "Conflict with existing data", "Xung đột với dữ liệu hiện có",
                "This official is already registered for this programme, year and class",
                "Cán bộ này đã được đăng ký chương trình, năm và lớp này")
    p.extra["registration_id"] = existing_id
    return p


async def load_official(session: AsyncSession, official_id: str, *, lock: bool = False) -> Official:
    """The official, or a 422 naming official_id; `lock` serialises one person's submissions (PostgreSQL)."""
    query = select(Official).where(Official.id == official_id)
    if lock:
        query = query.with_for_update()
    official = (await session.execute(query)).scalar_one_or_none()
    if official is None or official.status != "active":
        raise invalid("official_id", "unknown_official", f"Official {official_id} does not exist",
                      f"Cán bộ {official_id} không tồn tại")
    return official


@dataclass(frozen=True)
class CatalogueFacts:
    """What scheduling says about a submission: programme, class, the person's classes, quotas, dispatch date."""

    programme: Programme
    klass: ClassInfo | None
    enrolled: list[ClassInfo]
    allocations: dict[str, int]
    dispatch_date: date | None = None
    programme_names: dict[str, str] = field(default_factory=dict)  # code → name, for a flagged one's reviewer


def rule_date_of(facts: CatalogueFacts, *, today: date) -> tuple[date, str]:
    """The date a registration's rules are evaluated on: its plan's dispatch date, else the submission date."""
    if facts.dispatch_date is not None:
        return facts.dispatch_date, "plan_dispatch_date"
    return today, "submission_date"


async def gather_catalogue(catalogue: SchedulingCatalogue, data: RegistrationCreate, *,
                           names: bool = False) -> CatalogueFacts:
    """Programme, class, the person's enrolments and the plan's dispatch date from scheduling (503 when down);
    with ``names``, the programmes' names too, for the reviewer of a flagged one (codes are shown without them)."""
    programme = await catalogue.programme(data.programme_code)
    if programme is None:
        raise invalid("programme_code", "unknown_programme", f"Programme {data.programme_code} does not exist",
                      f"Chương trình {data.programme_code} không tồn tại")
    klass = None
    if data.class_id:
        klass = await catalogue.class_(data.class_id)
        if klass is None:
            raise invalid("class_id", "unknown_class", f"Class {data.class_id} does not exist",
                          f"Lớp {data.class_id} không tồn tại")
        if klass.programme_code != data.programme_code:
            raise invalid("class_id", "class_of_other_programme",
                          f"Class {data.class_id} belongs to programme {klass.programme_code}",
                          f"Lớp {data.class_id} thuộc chương trình {klass.programme_code}")
    enrolled = await catalogue.official_classes(str(data.official_id))
    allocations: dict[str, int] = {}
    dispatch: list[date] = []
    for item in await catalogue.plan_items(data.plan_year):
        if item.programme_code == data.programme_code:
            for unit, n in item.allocations.items():
                allocations[unit] = allocations.get(unit, 0) + n
            if item.dispatch_date is not None:
                dispatch.append(item.dispatch_date)
    return CatalogueFacts(programme, klass, enrolled, allocations, min(dispatch) if dispatch else None,
                          await _programme_names(catalogue) if names else {})


async def _programme_names(catalogue: SchedulingCatalogue) -> dict[str, str]:
    """The programmes' names; none when scheduling cannot list them now (the review then shows their codes)."""
    try:
        return await catalogue.programme_names()
    except Problem:
        return {}


def _person(o: Official, on: date, *, dispatched_before: bool) -> Person:
    return Person(birth=birth_of(o), gender=o.gender, category=o.category, position=o.position, title=o.title,
                  education=o.education, political_theory=o.political_theory,
                  party_member=o.party_join_date is not None, in_planning=in_planning_on(o.planning or [], on),
                  service_start=o.service_start, ratings={int(y): r for y, r in (o.ratings or {}).items()},
                  position_level=o.position_level, dispatched_before=dispatched_before)


@dataclass(frozen=True)
class Evaluation:
    """What every check says about a submission, before anything is written (the check-only call stops here)."""

    findings: list[Finding]
    outcome: str  # accepted | flagged | refused
    policy: PolicyVersion
    rules: dict[str, PolicyVersion]
    on: date
    on_source: str
    key: str
    unit_count: int
    duplicate_of: str | None = None


async def evaluate(session: AsyncSession, *, data: RegistrationCreate, official: Official, facts: CatalogueFacts,
                   today: date) -> Evaluation:
    """Run every check on the rule date; reads only (the real submission and the check-only call share it)."""
    programme, klass, enrolled, allocations = facts.programme, facts.klass, facts.enrolled, facts.allocations
    on, on_source = rule_date_of(facts, today=today)
    try:
        policy = in_force("registration_checks", on)
        rules = {key: in_force(key, on) for key in rules_for(programme.category)}
    except PolicyNotInForceError as exc:
        raise invalid("plan_year", "policy_not_in_force", str(exc),
                      f"Không có quy định áp dụng vào ngày {on.strftime('%d/%m/%Y')} (ngày xét đăng ký)") from exc
    active_statuses = list(policy.param("active_statuses"))
    key = active_key(official.id, data.programme_code, data.plan_year, data.class_id)
    s = session
    same = (await s.execute(select(Registration.id).where(Registration.active_key == key))).first()
    others = (await s.execute(select(Registration).where(
        Registration.official_id == official.id, Registration.status.in_(active_statuses)))).scalars().all()
    dispatched = (await s.execute(select(func.count()).select_from(PostgraduateDispatch).where(
        PostgraduateDispatch.official_id == official.id))).scalar_one()
    unit_count = (await s.execute(select(func.count()).select_from(Registration).where(
        Registration.unit_code == official.unit_code, Registration.programme_code == data.programme_code,
        Registration.plan_year == data.plan_year, Registration.status.in_(active_statuses)))).scalar_one()
    bookings = [Booking(ref=f"registration:{r.id[:8]}", programme_code=r.programme_code, plan_year=r.plan_year,
                        start=r.class_start, end=r.class_end) for r in others]
    bookings += [Booking(ref=f"class:{c.code or c.id}", programme_code=c.programme_code, plan_year=None,
                         start=c.start_date, end=c.end_date, kind="enrolment")
                 for c in enrolled if not klass or c.id != klass.id]
    findings = check_submission(Submission(
        person=_person(official, on, dispatched_before=bool(dispatched)), unit_code=official.unit_code,
        programme_code=programme.code,
        programme_category=programme.category, plan_year=data.plan_year, target_criteria=programme.target_criteria,
        class_start=klass.start_date if klass else None, class_end=klass.end_date if klass else None,
        others=bookings, unit_allocation=allocations.get(official.unit_code), unit_active_count=int(unit_count),
    ), policy, on=on, rules=rules)
    return Evaluation(findings, outcome_of(findings), policy, rules, on, on_source, key, int(unit_count),
                      duplicate_of=same[0] if same else None)


async def submit(uow: UnitOfWork, *, data: RegistrationCreate, official: Official, facts: CatalogueFacts,
                 actor: Actor, today: date) -> Registration:
    """Run every check on the rule date and record the registration with its outcome, events and audit record."""
    programme, klass, allocations = facts.programme, facts.klass, facts.allocations
    s = uow.session
    ev = await evaluate(s, data=data, official=official, facts=facts, today=today)
    if ev.duplicate_of:
        raise duplicate_submission(ev.duplicate_of)
    findings, policy, rules, on, on_source, key = ev.findings, ev.policy, ev.rules, ev.on, ev.on_source, ev.key
    unit_count = ev.unit_count
    outcome = ev.outcome
    status = STATUS_OF[outcome]
    authority = authority_of(official, on, field_name="plan_year")  # whose approvers review it, if flagged
    reg = Registration(
        id=str(uuid.uuid4()), official_id=official.id, official_name=official.full_name,
        unit_code=official.unit_code, programme_code=programme.code, programme_category=programme.category,
        plan_year=data.plan_year, class_id=data.class_id, class_start=klass.start_date if klass else None,
        class_end=klass.end_date if klass else None, status=status,
        active_key=None if status == "refused" else key, findings=[f.as_dict() for f in findings],
        policy_version=policy.version_id, rule_date=on, rule_date_source=on_source, note=data.note,
        review_comment="", decided_by=None,
        submitted_by=actor.user_id, submitted_at=datetime.now(UTC),
        decided_at=datetime.now(UTC) if outcome != "flagged" else None, managing_body=authority.body,
        authority_rule=f"{authority.version_id}#{authority.rule_id}")
    s.add(reg)
    await s.flush()
    if outcome == "accepted":
        _emit_approved(uow, reg, approved_by=None)
    elif outcome == "flagged":
        uow.emit("RegistrationFlagged", subject=reg.id, workflow_id=review_workflow_id(reg.id), data={
            "registration_id": reg.id, "official_id": reg.official_id, "official_name": reg.official_name,
            "unit_code": reg.unit_code, "programme_code": reg.programme_code, "plan_year": reg.plan_year,
            "class_id": reg.class_id, "findings": [event_finding(f) for f in reg.findings],
            "policy_version": reg.policy_version, "submitted_by": reg.submitted_by,
            "authority": authority_record(authority),
            "dossier": await review_dossier(  # what the reviewer needs: the person, the class, training, quota
                s, official=official, plan_year=reg.plan_year, programme=programme, klass=klass,
                enrolled=facts.enrolled, allocated=allocations.get(official.unit_code), used=unit_count + 1,
                registration_id=reg.id, active_statuses=list(policy.param("active_statuses")), today=today,
                names=facts.programme_names)})
    uow.audit(AuditEntry(
        actor=actor, action=f"registration.{ {'accepted': 'accept', 'flagged': 'flag', 'refused': 'refuse'}[outcome]}",
        subject=f"registration:{reg.id}", reason_vi=_reason_vi(outcome, findings, authority.body_vi),
        reason_en=_reason_en(outcome, findings, authority.body_en),
        policy_version=",".join([policy.version_id, *(v.version_id for v in rules.values()), authority.version_id]),
        inputs={"rule_date": on.isoformat(), "rule_date_source": on_source,
                "rules": {policy.rule_key: policy.version_id, **{k: v.version_id for k, v in rules.items()},
                          "management_authority": authority.version_id},
                "official_id": official.id, "unit_code": reg.unit_code, "programme_code": reg.programme_code,
                "plan_year": reg.plan_year, "class_id": reg.class_id, "findings": reg.findings,
                "unit_allocation": allocations.get(official.unit_code), "unit_active_count": int(unit_count),
                "management_authority": authority_record(authority)}))
    return reg


def event_finding(f: dict[str, Any]) -> dict[str, str]:
    """A finding as the event carries it: its words, with the rule version and date it was evaluated on."""
    vi, en = f["message_vi"], f["message_en"]
    if f.get("rule_version") and f.get("evaluated_on"):
        day = date.fromisoformat(f["evaluated_on"])
        vi += f" (quy định {f['rule_version']}, áp dụng ngày {day.strftime('%d/%m/%Y')})"
        en += f" (rule {f['rule_version']}, applied on {day.isoformat()})"
    return {"code": f["code"], "severity": f["severity"], "message_vi": vi, "message_en": en}


def _reason_vi(outcome: str, findings: list[Finding], body_vi: str) -> str:
    head = {"accepted": "Chấp nhận đăng ký", "flagged": f"Chuyển {body_vi} xem xét", "refused": "Từ chối đăng ký"}
    return head[outcome] + (": " + "; ".join(f.message_vi for f in findings) if findings else "")


def _reason_en(outcome: str, findings: list[Finding], body_en: str) -> str:
    head = {"accepted": "Registration accepted", "flagged": f"Flagged for the review of {body_en}",
            "refused": "Registration refused"}
    return head[outcome] + (": " + "; ".join(f.message_en for f in findings) if findings else "")


def _emit_approved(uow: UnitOfWork, reg: Registration, *, approved_by: str | None) -> None:
    uow.emit("RegistrationApproved", subject=reg.id, data={
        "registration_id": reg.id, "official_id": reg.official_id, "official_name": reg.official_name,
        "unit_code": reg.unit_code, "programme_code": reg.programme_code, "plan_year": reg.plan_year,
        "class_id": reg.class_id, "approved_by": approved_by, "approved_at": datetime.now(UTC).isoformat()})


async def apply_review_decision(uow: UnitOfWork, inp: ApplyReviewDecisionInput) -> ApplyReviewDecisionResult:
    """Apply the board's approve / refuse / return; a repeated call (activity retry) changes nothing."""
    reg = await uow.session.get(Registration, inp.registration_id)
    if reg is None:
        raise NotFound("registration_not_found", f"Registration {inp.registration_id} does not exist",
                       f"Không có đăng ký {inp.registration_id}", field="registration_id")
    if reg.status != "under_review":
        return ApplyReviewDecisionResult(reg.id, reg.status, False)
    new_status = {"approve": "approved", "refuse": "refused", "return": "returned"}[inp.action]
    reg.status = new_status
    reg.review_comment = inp.comment
    reg.decided_by = inp.actor_id
    reg.decided_at = datetime.now(UTC)
    if new_status != "approved":
        reg.active_key = None
    await uow.session.flush()
    if new_status == "approved":
        _emit_approved(uow, reg, approved_by=inp.actor_id)
    words: dict[str, tuple[str, str]] = {"approved": ("Phê duyệt đăng ký", "Registration approved"),
                                         "refused": ("Từ chối đăng ký", "Registration refused"),
                                         "returned": ("Trả lại để bổ sung, sửa đổi", "Returned for correction")}
    vi, en = words[new_status]
    comment = f": {inp.comment}" if inp.comment else ""
    uow.audit(AuditEntry(
        actor=Actor(inp.actor_id, inp.actor_role, inp.on_behalf_of), action=f"registration.review.{inp.action}",
        subject=f"registration:{reg.id}", reason_vi=vi + comment, reason_en=en + comment,
        policy_version=reg.policy_version, workflow_id=inp.workflow_id, run_id=inp.run_id,
        inputs={"decision": inp.action, "comment": inp.comment, "task_id": inp.task_id, "findings": reg.findings}))
    return ApplyReviewDecisionResult(reg.id, new_status, True)


def registration_filters(*, unit: str | None, year: int | None, status: str | None) -> list[Any]:
    """SQL filters of a registration list."""
    out: list[Any] = []
    if unit:
        out.append(Registration.unit_code == unit)
    if year:
        out.append(Registration.plan_year == year)
    if status:
        out.append(Registration.status == status)
    return out
