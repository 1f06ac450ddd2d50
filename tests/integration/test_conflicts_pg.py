"""PostgreSQL: the province-wide conflict scan gets the sort and hash memory it needs for its own transaction only,
and finds on PostgreSQL what it finds on SQLite (tests/unit/registration/test_conflicts_reference.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from services.registration.models import INFRA, Registration, metadata
from services.registration.service import reports
from shared.config import Settings
from shared.context import build_context
from tests.support import infra

pytestmark = pytest.mark.integration


def _registration(n: int, official: str, name: str, programme: str, start: date, end: date) -> Registration:
    return Registration(
        id=f"r{n}", official_id=official, official_name=name, unit_code="DONGPHU", programme_code=programme,
        programme_category="chuyen_mon", plan_year=2026, class_id=f"C{n}", class_start=start, class_end=end,
        status="accepted", active_key=f"{official}:{programme}:2026:C{n}", findings=[], policy_version="p",
        submitted_by="tc.dongxoai", submitted_at=datetime(2026, 1, 2, tzinfo=UTC))


async def test_the_scan_sets_its_memory_for_its_transaction_only() -> None:
    ctx = build_context("registration", Settings(), metadata, INFRA,
                        url=infra.new_database_template().format(service="registration"))
    try:
        async with ctx.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with ctx.sessions() as session, session.begin():
            session.add_all([
                _registration(1, "o1", "Trần Văn Bình", "P1", date(2026, 3, 1), date(2026, 3, 10)),
                _registration(2, "o1", "Trần Văn Bình", "P1", date(2026, 3, 5), date(2026, 3, 20)),
                _registration(3, "o2", "Lê Thị Ánh", "P2", date(2026, 4, 1), date(2026, 4, 5)),
                _registration(4, "o2", "Lê Thị Ánh", "P3", date(2026, 4, 3), date(2026, 4, 9))])
        async with ctx.sessions() as session:
            server_default = (await session.execute(text("SHOW work_mem"))).scalar_one()
        async with ctx.sessions() as session:
            found = await reports.conflicts(session, year=2026, today=date(2026, 6, 1))
            during = (await session.execute(text("SHOW work_mem"))).scalar_one()
        async with ctx.sessions() as session:  # the pooled connection again: nothing carried over
            after = (await session.execute(text("SHOW work_mem"))).scalar_one()
        assert during == reports.REPORT_WORK_MEM and after == server_default != during
        # Ánh before Bình: given names first, in Vietnamese order
        assert [c["official_name"] for c in found["overlaps"]] == ["Lê Thị Ánh", "Trần Văn Bình"]
        assert [(d["official_name"], d["programme_code"]) for d in found["duplicates"]] == [("Trần Văn Bình", "P1")]
    finally:
        await ctx.dispose()
