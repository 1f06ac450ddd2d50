"""Defence and security programmes carry the periods of Decree 13/2014 (amended by 139/2020) for their group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from services.scheduling.domain.programme_rules import hours_mismatch, standard_programmes
from services.scheduling.schemas import ProgrammeVersionCreate
from services.scheduling.service import programmes
from shared.context import ServiceContext
from shared.errors import Problem
from shared.policy import load_policy_book
from shared.uow import unit_of_work
from tests.unit.scheduling.support import BOARD, scheduling_context, seed_programme

RULE = load_policy_book().in_force("defence_security_periods", date(2024, 1, 1))


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[ServiceContext]:
    context = await scheduling_context(tmp_path)
    yield context
    await context.dispose()


@pytest.mark.parametrize(("group", "periods"), [("1", 176), ("2", 120), ("3", 96), ("4", 32)])
def test_each_group_has_its_periods(group: str, periods: int) -> None:
    category = f"defence_security.group_{group}"
    assert hours_mismatch(category, periods, RULE) is None
    vi, en = hours_mismatch(category, periods - 1, RULE) or ("", "")
    assert f"phải có {periods} tiết" in vi and "defence-security/decree-13-2014-139-2020" in en


def test_other_categories_are_not_bound() -> None:
    assert hours_mismatch("knowledge_update", 40, RULE) is None


def test_the_four_groups_as_programmes() -> None:
    found = standard_programmes(RULE)
    assert [(p["category"], p["hours"]) for p in found] == [
        ("defence_security.group_1", 176), ("defence_security.group_2", 120),
        ("defence_security.group_3", 96), ("defence_security.group_4", 32)]
    assert {p["rule_version"] for p in found} == {"defence-security/decree-13-2014-139-2020"}


async def test_a_group_1_programme_of_40_hours_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(Problem) as err:
        await seed_programme(ctx, "QPAN1", category="defence_security.group_1", hours=40)
    assert err.value.errors[0].field == "hours" and "176" in err.value.errors[0].message_vi
    await seed_programme(ctx, "QPAN1", category="defence_security.group_1", hours=176)
    with pytest.raises(Problem):
        async with unit_of_work(ctx) as uow:
            await programmes.add_version(uow, code="QPAN1", actor=BOARD, data=ProgrammeVersionCreate.model_validate({
                "name": "QP-AN đối tượng 1", "category": "defence_security.group_1", "mode": "full_time",
                "hours": 120, "provider": "Học viện Quốc phòng", "effective_from": "2026-01-01"}))


async def test_a_knowledge_update_programme_for_group_4_after_qd_145_is_refused(ctx: ServiceContext) -> None:
    with pytest.raises(Problem) as err:
        await seed_programme(ctx, "CNKT4", category="knowledge_update", hours=24, effective_from="2024-05-10",
                             target_criteria={"knowledge_update_group": "4"})
    assert err.value.errors[0].field == "target_criteria.knowledge_update_group"
    await seed_programme(ctx, "CNKT4", category="knowledge_update", hours=24, effective_from="2024-05-09",
                         target_criteria={"knowledge_update_group": "4"})
