"""Scheduling's use cases on SQLite: effective-dated programmes, enrolment rules, event-driven requests, progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.scheduling.consumers import on_candidates_selected, on_registration_approved
from services.scheduling.models import CourseClass, Enrolment, EnrolmentRequest
from services.scheduling.schemas import PlanCreate, ProgrammeVersionCreate
from services.scheduling.service import classes, enrolment, plans, programmes, requests
from shared.context import ServiceContext
from shared.errors import Problem
from shared.events.consumer import Poison, idempotent
from shared.events.envelope import CloudEvent
from shared.uow import unit_of_work
from tests.unit.scheduling.support import BOARD, enrol, outbox_types, scheduling_context, seed_class, seed_programme

TODAY = datetime.now(UTC).date()


@pytest.fixture
async def ctx(tmp_path: Path) -> ServiceContext:
    c = await scheduling_context(tmp_path)
    await seed_programme(c)
    return c


async def test_programme_versions_are_effective_dated(ctx: ServiceContext) -> None:
    new = ProgrammeVersionCreate.model_validate({
        "name": "Trung cấp lý luận chính trị (chương trình 2025)", "category": "political_theory.intermediate",
        "mode": "full_time", "hours": 760, "provider": "Trường Chính trị tỉnh", "effective_from": "2025-10-01"})
    async with unit_of_work(ctx) as uow:
        await programmes.add_version(uow, code="LLCT-TC", data=new, actor=BOARD)
    async with ctx.sessions() as s:
        versions = await programmes.versions_of(s, "LLCT-TC")
    old = programmes.in_force(versions, date(2024, 5, 1))
    cur = programmes.in_force(versions, date(2026, 1, 1))
    assert old is not None and cur is not None
    assert (old.hours, old.effective_to, cur.hours, cur.version_no) == (880, date(2025, 9, 30), 760, 2)
    with pytest.raises(Problem) as err:
        async with unit_of_work(ctx) as uow:
            await programmes.add_version(uow, code="LLCT-TC", data=new, actor=BOARD)
    assert err.value.errors[0].field == "effective_from"


async def test_a_programme_keeps_its_english_name_and_reads_back_without_one(ctx: ServiceContext) -> None:
    await seed_programme(ctx, code="QLNN-CV", name="Quản lý nhà nước ngạch chuyên viên",
                         name_en="State management, specialist grade", category="state_management.specialist",
                         mode="full_time", hours=200)
    async with ctx.sessions() as s:
        named = programmes.in_force(await programmes.versions_of(s, "QLNN-CV"), TODAY)
        plain = programmes.in_force(await programmes.versions_of(s, "LLCT-TC"), TODAY)
    assert named is not None and plain is not None
    assert programmes.as_dict(named)["name_en"] == "State management, specialist grade"
    assert programmes.as_dict(plain)["name_en"] is None  # none given: the portal shows the Vietnamese name
    assert ProgrammeVersionCreate.model_validate({
        "name": "Quản lý nhà nước", "name_en": "State management", "category": "state_management.specialist",
        "mode": "full_time", "hours": 200, "provider": "Trường Chính trị tỉnh",
        "effective_from": "2025-01-01"}).name_en == "State management"
    with pytest.raises(ValueError):  # a one-letter English name is refused where it enters
        ProgrammeVersionCreate.model_validate({
            "name": "Quản lý nhà nước", "name_en": "S", "category": "state_management.specialist",
            "mode": "full_time", "hours": 200, "provider": "Trường Chính trị tỉnh", "effective_from": "2025-01-01"})


async def test_twice_and_overlap_refused_and_nothing_written(ctx: ServiceContext) -> None:
    a = await seed_class(ctx, code="A-1", today=TODAY)
    b = await seed_class(ctx, code="B-1", today=TODAY, start_in=40)
    await enrol(ctx, a, "p1")
    before = await outbox_types(ctx)
    with pytest.raises(Problem) as twice:
        await enrol(ctx, a, "p1")
    assert twice.value.status == 409 and twice.value.errors[0].field == "official_id"
    with pytest.raises(Problem) as clash:
        await enrol(ctx, b, "p1")
    assert clash.value.extra["other_class"]["code"] == "A-1" and "A-1" in clash.value.detail_vi
    assert await outbox_types(ctx) == before


async def test_bulk_enrolment_seats_in_order_lists_each_refusal_and_writes_the_rest_at_once(
        ctx: ServiceContext) -> None:
    a = await seed_class(ctx, code="A-1", today=TODAY, capacity=2, target=2)
    b = await seed_class(ctx, code="B-1", today=TODAY, start_in=40)
    await enrol(ctx, b, "busy")
    before = len(await outbox_types(ctx))
    people = [("p1", "Lê Thị Ánh", "DONGXOAI"), ("busy", "Trần Văn Bận", "DONGXOAI"), ("p1", "Lê Thị Ánh", "DONGXOAI"),
              ("p2", "Đỗ Minh Châu", "DONGXOAI"), ("p3", "Phạm Hữu Đức", "DONGXOAI")]
    async with unit_of_work(ctx) as uow:
        done, refused = await enrolment.enrol_many(uow, class_id=a, people=people, source="board", actor=BOARD)
    assert [(r.official_id, r.status) for r in done] == [("p1", "enrolled"), ("p2", "enrolled"), ("p3", "waitlisted")]
    assert [(who, exc.code) for who, _, exc in refused] == [("busy", "overlapping_class"), ("p1", "already_enrolled")]
    assert "B-1" in refused[0][2].detail_vi
    written = (await outbox_types(ctx))[before:]
    assert written.count("ParticipantEnrolled") == 2 and written.count("ParticipantWaitlisted") == 1
    assert written.count("AuditRecorded") == 3  # one audit record per enrolment, none for a refusal


async def test_bulk_enrolment_into_a_closed_class_refuses_everyone_and_writes_nothing(ctx: ServiceContext) -> None:
    a = await seed_class(ctx, code="A-1", today=TODAY)
    async with unit_of_work(ctx) as uow:
        row = await uow.session.get(CourseClass, a)
        assert row is not None
        row.enrolment_closed = True
    before = await outbox_types(ctx)
    with pytest.raises(Problem) as err:
        async with unit_of_work(ctx) as uow:
            await enrolment.enrol_many(uow, class_id=a, people=[("p1", "Lê Thị Ánh", "DONGXOAI")], source="board",
                                       actor=BOARD)
    assert err.value.code == "enrolment_closed" and await outbox_types(ctx) == before


async def test_enrol_reads_the_roster_after_lapsed_offers_expire_as_bulk_enrolment_does(ctx: ServiceContext) -> None:
    a = await seed_class(ctx, code="A-1", today=TODAY, capacity=1, target=1)
    await enrol(ctx, a, "p1")
    await enrol(ctx, a, "p2")  # full: waitlisted
    async with unit_of_work(ctx) as uow:
        first = (await uow.session.execute(select(Enrolment).where(Enrolment.official_id == "p1"))).scalar_one()
        await enrolment.change_enrolment(uow, enrolment_id=first.id, action="withdraw", actor=BOARD)
    async with unit_of_work(ctx) as uow:  # p2's offer lapses before anyone expires it
        offered = (await uow.session.execute(select(Enrolment).where(Enrolment.official_id == "p2"))).scalar_one()
        assert offered.status == "offered"
        offered.offer_expires_at = datetime.now(UTC) - timedelta(hours=1)
    before = len(await outbox_types(ctx))
    assert await enrol(ctx, a, "p2") == "enrolled"  # the lapsed offer is not a place: a new arrival, the free seat
    assert (await outbox_types(ctx))[before:].count("WaitlistOfferLapsed") == 1


async def test_registration_approved_becomes_enrolment_or_pending_request(ctx: ServiceContext) -> None:
    class_id = await seed_class(ctx, code="C-1", today=TODAY, capacity=1, target=1)
    handler = idempotent(ctx, "scheduling.enrolment-requests", on_registration_approved)

    def approved(who: str, class_ref: str | None) -> CloudEvent:
        return CloudEvent(type="RegistrationApproved", source="/cadreflow/registration", subject=f"r-{who}", data={
            "registration_id": f"r-{who}", "official_id": who, "official_name": "Võ Thị Hồng",
            "unit_code": "BINHPHUOC", "programme_code": "LLCT-TC", "plan_year": TODAY.year, "class_id": class_ref})

    first = approved("h1", class_id)
    await handler(first)
    await handler(first)  # redelivered: no second effect
    await handler(approved("h2", class_id))  # full → waitlisted
    await handler(approved("h3", None))  # no class named → pending for the Board
    await handler(approved("h4", "no-such-class"))  # unknown class → pending with the reason
    async with ctx.sessions() as s:
        enrolled = dict((await s.execute(select(Enrolment.official_id, Enrolment.status))).all())
        reqs = {r.official_id: r for r in (await s.execute(select(EnrolmentRequest))).scalars().all()}
    assert enrolled == {"h1": "enrolled", "h2": "waitlisted"}
    assert {k: r.status for k, r in reqs.items()} == {"h1": "placed", "h2": "placed", "h3": "pending",
                                                       "h4": "pending"}
    assert reqs["h4"].reason_vi and "no-such-class" in reqs["h4"].reason_en
    other = await seed_class(ctx, code="C-2", today=TODAY, start_in=200, deadline_in=190)
    async with unit_of_work(ctx) as uow:
        placed = await requests.place_request(uow, request_id=reqs["h3"].id, class_id=other, actor=BOARD)
    assert placed.status == "placed"
    with pytest.raises(Poison):
        async with unit_of_work(ctx) as uow:
            await on_registration_approved(uow, CloudEvent(type="RegistrationApproved", source="x", subject="y",
                                                           data={"official_id": "z"}))


async def test_candidates_selected_enrol_into_the_source_cadre_class(ctx: ServiceContext) -> None:
    class_id = await seed_class(ctx, code="NGUON-1", today=TODAY, capacity=10)
    event = CloudEvent(type="CandidatesSelected", source="/cadreflow/selection", subject="camp", data={
        "campaign_id": "camp", "campaign_number": "01", "group": "group_1", "decision_number": "15-QĐ/TU",
        "class_id": class_id, "candidates": [{"official_id": "c1", "unit_code": "U1"},
                                             {"official_id": "c2", "unit_code": "U2"}]})
    await idempotent(ctx, "scheduling.source-cadre-enrolment", on_candidates_selected)(event)
    async with ctx.sessions() as s:
        n = (await s.execute(select(func.count()).select_from(Enrolment).where(
            Enrolment.class_id == class_id, Enrolment.status == "enrolled"))).scalar_one()
    assert n == 2


async def test_plan_progress_counts_enrolments(ctx: ServiceContext) -> None:
    async with unit_of_work(ctx) as uow:
        plan = await plans.adopt_plan(uow, actor=BOARD, data=PlanCreate.model_validate({
            "number": "159-KH/TU", "year": (TODAY + timedelta(days=21)).year,
            "items": [{"programme_code": "LLCT-TC", "quota": 4, "allocations": {"U1": 3, "U2": 1}}]}))
    class_id = await seed_class(ctx, code="P-1", today=TODAY)
    await enrol(ctx, class_id, "x1", "U1")
    await enrol(ctx, class_id, "x2", "U3")
    async with ctx.sessions() as s:
        progress = await plans.plan_progress(s, plan_id=plan.id)
    [item] = progress["items"]
    assert (item["planned"], item["actual"], item["remaining"]) == (4, 2, 2)
    assert item["units"]["U1"]["actual"] == 1 and item["units"]["U3"] == {
        "planned": 0, "actual": 1, "remaining": 0, "ratio": None}
    with pytest.raises(Problem) as err:
        async with unit_of_work(ctx) as uow:
            await plans.adopt_plan(uow, actor=BOARD, data=PlanCreate.model_validate({
                "number": "160-KH/TU", "year": 2027, "items": [{"programme_code": "LLCT-TC", "quota": 1,
                                                         "allocations": {"U1": 2}}]}))
    assert err.value.errors[0].field == "items.0.allocations"


async def test_a_plan_may_set_the_dispatch_date_its_registrations_are_checked_on(ctx: ServiceContext) -> None:
    async with unit_of_work(ctx) as uow:
        plan = await plans.adopt_plan(uow, actor=BOARD, data=PlanCreate.model_validate({
            "number": "12-KH/TU", "year": 2025, "dispatch_date": "2025-07-01",
            "items": [{"programme_code": "LLCT-TC", "quota": 4}]}))
        undated = await plans.adopt_plan(uow, actor=BOARD, data=PlanCreate.model_validate({
            "number": "13-KH/TU", "year": 2025, "items": [{"programme_code": "LLCT-TC", "quota": 1}]}))
    async with ctx.sessions() as s:
        assert (await plans.plan_doc(s, plan))["dispatch_date"] == "2025-07-01"
        assert (await plans.plan_doc(s, undated))["dispatch_date"] is None


async def test_a_class_reads_with_where_it_is_held_and_its_timetables_hours(ctx: ServiceContext) -> None:
    class_id = await seed_class(ctx, code="TC-HOURS", today=TODAY)  # three sessions of four hours
    async with ctx.sessions() as s:
        cls = await s.get(CourseClass, class_id)
        assert cls is not None
        doc = await classes.class_read(s, cls)
    assert (doc["institution"], doc["venue"], doc["hours"], doc["sessions"]) == (
        "Trường Chính trị tỉnh Đồng Nai", "Hội trường A", 12, 3)
