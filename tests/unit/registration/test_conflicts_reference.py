"""The set-based conflict scan (`reports.conflicts`) finds what the per-row reference finds: the same overlapping
pairs and the same duplicate groups with the same registrations, on random registrations (several years, every
status, classes with and without dates, people in several units)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registration.adapters.policies import in_force
from services.registration.models import Registration
from services.registration.service import reports
from shared.vietnamese import sort_key_name
from tests.unit.registration.fakes import App, registration_app

YEAR = 2026
TODAY = date(YEAR, 6, 1)


async def reference(session: AsyncSession, *, year: int, today: date) -> dict[str, Any]:
    """The scan as it was before it became set-based (ORM rows, one query per duplicate group): the spec."""
    active = list(in_force("registration_checks", today).param("active_statuses"))
    a, b = aliased(Registration), aliased(Registration)
    pairs = (await session.execute(
        select(a, b).join(b, and_(a.official_id == b.official_id, a.id < b.id)).where(
            a.status.in_(active), b.status.in_(active), a.class_start.is_not(None), b.class_start.is_not(None),
            a.class_start <= b.class_end, b.class_start <= a.class_end,
            or_(a.plan_year == year, b.plan_year == year)))).all()
    overlaps = [{"official_id": x.official_id, "official_name": x.official_name,
                 "registrations": [_brief(x), _brief(y)]} for x, y in pairs]
    keys = (await session.execute(
        select(Registration.official_id, Registration.programme_code, func.count())
        .where(Registration.plan_year == year, Registration.status.in_(active))
        .group_by(Registration.official_id, Registration.programme_code).having(func.count() > 1))).all()
    duplicates = []
    for official_id, programme_code, _ in keys:
        regs = (await session.execute(select(Registration).where(
            Registration.official_id == official_id, Registration.programme_code == programme_code,
            Registration.plan_year == year, Registration.status.in_(active)))).scalars().all()
        duplicates.append({"official_id": official_id, "official_name": regs[0].official_name,
                           "programme_code": programme_code, "registrations": [_brief(r) for r in regs],
                           "units": sorted({r.unit_code for r in regs})})
    return {"year": year, "overlaps": overlaps, "duplicates": duplicates}


def _brief(r: Registration) -> dict[str, Any]:
    return {"registration_id": r.id, "unit_code": r.unit_code, "programme_code": r.programme_code,
            "plan_year": r.plan_year, "class_id": r.class_id, "status": r.status,
            "class_start": r.class_start.isoformat() if r.class_start else None,
            "class_end": r.class_end.isoformat() if r.class_end else None}


def canonical(found: dict[str, Any]) -> dict[str, Any]:
    """Order where the scan promises none: pairs among people of one name, registrations within a group."""
    overlaps = sorted(found["overlaps"], key=lambda c: [c["official_name"], c["official_id"],
                                                        *(r["registration_id"] for r in c["registrations"])])
    duplicates = sorted(({**c, "registrations": sorted(c["registrations"], key=lambda r: r["registration_id"])}
                         for c in found["duplicates"]),
                        key=lambda c: (c["official_name"], c["official_id"], c["programme_code"]))
    return {"year": found["year"], "overlaps": overlaps, "duplicates": duplicates}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with registration_app(tmp_path) as a:
        yield a


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_set_based_scan_finds_what_the_reference_finds(app: App, seed: int) -> None:
    rnd = random.Random(seed)
    names = ["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường", "Đặng Thu Hà", "Nguyễn Văn An"]  # one name twice
    people = [(f"00000000-0000-4000-9000-{i:012d}", names[i % len(names)]) for i in range(40)]
    statuses = ["accepted", "under_review", "approved", "refused", "returned"]
    async with app.ctx.sessions() as s, s.begin():
        for i in range(300):
            oid, name = rnd.choice(people)
            start = date(YEAR + rnd.choice([-1, 0, 0, 0, 1]), 1, 1) + timedelta(days=rnd.randrange(330))
            dated = rnd.random() < 0.85
            s.add(Registration(
                id=f"00000000-0000-4000-8000-{rnd.randrange(10**12):012d}", official_id=oid, official_name=name,
                unit_code=rnd.choice(["DONGXOAI", "BINHLONG", "DONGPHU"]),
                programme_code=rnd.choice(["QLNN", "CCLLCT", "TC"]),
                programme_category="c", plan_year=rnd.choice([YEAR, YEAR, YEAR, YEAR - 1]),
                class_id=f"C{i}" if dated else None, class_start=start if dated else None,
                class_end=start + timedelta(days=rnd.randrange(5, 60)) if dated else None,
                status=rnd.choice(statuses), active_key=f"k{seed}-{i}", findings=[], policy_version="v", note="",
                review_comment="", submitted_by="t", submitted_at=datetime(YEAR, 1, 1, tzinfo=UTC)))
    async with app.ctx.sessions() as s:
        want = await reference(s, year=YEAR, today=TODAY)
        got = await reports.conflicts(s, year=YEAR, today=TODAY)
    assert want["overlaps"] and want["duplicates"], "the data must hold both kinds of conflict"
    assert canonical(got) == canonical(want)
    # the promised order: by Vietnamese name
    for kind in ("overlaps", "duplicates"):
        assert [c["official_name"] for c in got[kind]] == sorted(
            (c["official_name"] for c in got[kind]), key=sort_key_name)


def test_the_cycle_collector_resumes_after_a_report_and_stays_paused_if_it_was() -> None:
    import gc

    assert gc.isenabled()
    try:
        with pytest.raises(RuntimeError), reports._no_cycle_collection():
            assert not gc.isenabled()
            raise RuntimeError("the report failed")
        assert gc.isenabled(), "resumed after a failed report too"
        gc.disable()
        with reports._no_cycle_collection():
            pass
        assert not gc.isenabled(), "paused by someone else: left paused"
    finally:
        gc.enable()
