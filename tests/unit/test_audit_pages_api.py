"""The auditor's page reads each service's trail over HTTP: GET /audit/recent (the latest records) and
GET /audit/verify (every chain recomputed: intact, or the first bad record and why)."""

from __future__ import annotations

from sqlalchemy import text

from tests.unit.test_auth_errors import UNIT, api, bearer

__all__ = ["api"]


async def test_recent_and_verify_see_an_edited_record(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, rt = api
    for code, name in (("PHUOCLONG", UNIT["name"]), ("DONGXOAI", "Thành phố Đồng Xoài")):
        r = await client.post("/units", json={**UNIT, "code": code, "name": name},
                              headers=bearer(settings, ["service"]))
        assert r.status_code == 201, r.text
    auditor = bearer(settings, ["auditor"])
    recent = (await client.get("/audit/recent", headers=auditor)).json()
    assert [r["subject"] for r in recent] == ["unit:DONGXOAI", "unit:PHUOCLONG"]  # newest first
    ok = (await client.get("/audit/verify", headers=auditor)).json()
    assert [(c["records"], c["ok"]) for c in ok] == [(2, True)]
    assert (await client.get("/audit/verify", headers=bearer(settings, ["organization_board"]))).status_code == 403
    assert (await client.get("/audit/recent", headers=bearer(settings, ["unit_officer"]))).status_code == 403
    async with rt.ctx.sessions() as s, s.begin():  # whoever can write the file can drop the append-only guard
        await s.execute(text("DROP TRIGGER audit_log_no_update"))
        await s.execute(text("UPDATE audit_log SET body = replace(body, 'Phước', 'Phuoc') WHERE seq = 1"))
    broken = (await client.get("/audit/verify", headers=bearer(settings, ["operator"]))).json()
    assert [(c["ok"], c["first_bad_seq"]) for c in broken] == [(False, 1)]
    assert broken[0]["problem"].startswith("hash does not match")
