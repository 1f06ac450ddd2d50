"""The check-only call (POST /registrations/check): the findings the real registration would get, in words, with
nothing written — no registration row, no outbox event, no audit record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import OFFICER, YEAR, person, submit
from tests.unit.registration.test_registrations_api import app as registration_fixture

app = registration_fixture


async def _counts(app: App) -> tuple[int, int, int]:
    async with app.ctx.sessions() as s:
        regs = (await s.execute(text("SELECT count(*) FROM registrations"))).scalar_one()
        events = (await s.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
        audit = (await s.execute(text("SELECT count(*) FROM audit_log"))).scalar_one()
    return int(regs), int(events), int(audit)


async def check(app: App, oid: str, programme: str = "CCLLCT", klass: str | None = None) -> dict[str, Any]:
    body = {"official_id": oid, "programme_code": programme, "plan_year": YEAR, "class_id": klass}
    resp = await app.call("POST", "/registrations/check", OFFICER[0], OFFICER[1], json=body)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def test_the_check_gives_the_real_findings_and_writes_nothing(app: App) -> None:
    oid = await person(app, party_join_date=None)  # not a party member: advanced theory needs one
    before = await _counts(app)
    checked = await check(app, oid)
    assert await _counts(app) == before, "the check-only call wrote a row, an event or an audit record"
    assert checked["outcome"] == "flagged" and checked["programme_title"] == "Cao cấp lý luận chính trị"
    real = (await submit(app, oid)).json()
    assert real["outcome"] == checked["outcome"]
    assert [(f["code"], f["severity"], f["message_vi"]) for f in real["findings"]] == [
        (f["code"], f["severity"], f["message_vi"]) for f in checked["findings"]]
    assert checked["policy_version"] == real["policy_version"]


async def test_a_duplicate_is_reported_not_refused(app: App) -> None:
    oid = await person(app)
    first = (await submit(app, oid)).json()
    before = await _counts(app)
    checked = await check(app, oid)
    assert (checked["outcome"], checked["duplicate_registration_id"]) == ("duplicate", first["id"])
    assert await _counts(app) == before


async def test_the_check_keeps_the_unit_scope(app: App) -> None:
    oid = await person(app, unit_code="BINHLONG")
    body = {"official_id": oid, "programme_code": "CCLLCT", "plan_year": YEAR}
    resp = await app.call("POST", "/registrations/check", OFFICER[0], OFFICER[1], json=body)
    assert resp.status_code == 403 and resp.headers["content-type"].startswith("application/problem+json")
    resp = await app.call("POST", "/registrations/check", ["auditor"], ["*"], json=body)
    assert resp.status_code == 403

