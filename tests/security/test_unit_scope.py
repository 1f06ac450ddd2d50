"""Items 4 and 5 of issue #16, attack by attack: a unit officer neither writes nor reads another unit's records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from services.registration.models import Official
from tests.security.support import OTHER, OWN, Seed, Services, build_services, official_body, seed_two_units

OFFICER = ["unit_officer"]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Services, Seed]]:
    services = await build_services(tmp_path)
    seed = await seed_two_units(services)
    yield services, seed
    await services.close()


async def _official(services: Services, pid: str) -> Official:
    async with services.contexts["registration"].sessions() as s:
        return (await s.execute(select(Official).where(Official.personal_id == pid))).scalar_one()


async def test_an_import_does_not_move_or_rename_another_units_official(world: tuple[Services, Seed]) -> None:
    services, seed = world
    victim = seed.personal_ids[OTHER]
    row = {"personal_id": victim, "full_name": "Tên Bị Đổi", "gender": "male", "birth_date": "12/03/1975",
           "category": "civil_servant", "unit_code": OWN}
    resp = await services.client("registration").post(
        "/officials/import", headers=services.headers(OFFICER, [OWN]), json={"rows": [{"row": 2, "values": row}]})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["created"], report["updated"], report["rejected"]) == (0, 0, 1)
    assert report["errors"][0]["code"] == "record_out_of_scope"
    assert OTHER not in str(report)  # the refusal does not say where the personal id is recorded
    kept = await _official(services, victim)
    assert (kept.unit_code, kept.full_name) == (OTHER, f"Cán bộ {OTHER}")


async def test_the_single_record_endpoint_refuses_without_naming_the_unit(world: tuple[Services, Seed]) -> None:
    services, seed = world
    body = official_body(seed.personal_ids[OTHER], OWN, "Tên Bị Đổi")
    resp = await services.client("registration").post("/officials", headers=services.headers(OFFICER, [OWN]),
                                                       json=body)
    assert resp.status_code == 403 and resp.headers["content-type"].startswith("application/problem+json")
    assert OTHER not in resp.text and resp.json()["detail_vi"]
    assert (await _official(services, seed.personal_ids[OTHER])).unit_code == OTHER


async def test_an_officer_cannot_withdraw_or_place_another_units_people(world: tuple[Services, Seed]) -> None:
    services, seed = world
    board_of_own = services.headers(["organization_board"], [OWN])
    client = services.client("scheduling")
    withdraw = await client.post(f"/enrolments/{seed.enrolments[OTHER]}/withdraw", headers=board_of_own,
                                 json={"reason": "thử"})
    assert withdraw.status_code == 403 and OTHER not in withdraw.text
    place = await client.post(f"/enrolment-requests/{seed.requests[OTHER]}/place", headers=board_of_own,
                              json={"class_id": seed.class_id})
    assert place.status_code == 403


async def test_rosters_waitlists_and_enrolments_follow_the_unit_scope(world: tuple[Services, Seed]) -> None:
    services, seed = world
    client = services.client("scheduling")
    mine = await client.get(f"/classes/{seed.class_id}/roster", headers=services.headers(OFFICER, [OWN]))
    assert mine.status_code == 200
    assert {r["unit_code"] for r in mine.json()} == {OWN}
    waitlist = await client.get(f"/classes/{seed.class_id}/waitlist", headers=services.headers(OFFICER, [OWN]))
    assert waitlist.status_code == 200 and all(r["unit_code"] == OWN for r in waitlist.json())
    theirs = await client.get(f"/officials/{seed.officials[OTHER]}/classes", headers=services.headers(OFFICER, [OWN]))
    assert theirs.status_code == 200 and theirs.json() == []
    for path in (f"/classes/{seed.class_id}/roster", f"/classes/{seed.class_id}/waitlist",
                 f"/officials/{seed.officials[OWN]}/classes"):
        examiner = await client.get(path, headers=services.headers(["examiner"], ["*"]))
        assert examiner.status_code == 403 and examiner.headers["content-type"].startswith("application/problem")
    board = await client.get(f"/classes/{seed.class_id}/roster", headers=services.headers(["organization_board"]))
    assert {r["unit_code"] for r in board.json()} == {OWN, OTHER}
