"""Authentication, authorisation and problem+json on the registration API (SQLite, in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from pydantic import ValidationError
from sqlalchemy import text

from services.registration.main import spec
from shared.auth import issue_token
from shared.config import EMBEDDED_DEV_SECRET, Settings
from shared.events.factory import open_sink
from shared.process import ServiceRuntime, TemporalHandle
from tests.support.sqlite_ctx import sqlite_context


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Settings, ServiceRuntime]]:
    settings = Settings(data_dir=tmp_path)
    ctx = await sqlite_context(tmp_path)
    rt = ServiceRuntime(settings, ctx, open_sink(settings), TemporalHandle(settings))
    app = spec().make_app(rt)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client, settings, rt
    await ctx.dispose()


def bearer(settings: Settings, roles: list[str], **kw: object) -> dict[str, str]:
    token = issue_token(settings, user_id="u1", roles=roles, units=["*"], **kw)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


UNIT = {"code": "PHUOCLONG", "name": "Thị xã Phước Long", "kind": "district"}


async def test_no_token_forged_token_and_expired_token_are_401(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, _ = api
    assert (await client.post("/units", json=UNIT)).status_code == 401
    forged = jwt.encode({"sub": "x", "roles": ["organization_board"], "iss": "cadreflow", "exp": 9999999999},
                        "another-secret-of-thirty-two-bytes", algorithm="HS256")  # long enough: PyJWT warns below 32
    r = await client.post("/units", json=UNIT, headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["detail_vi"] == "Mã truy cập không hợp lệ"
    unsigned = jwt.encode({"sub": "x", "roles": ["organization_board"], "iss": "cadreflow", "exp": 9999999999},
                          None, algorithm="none")
    assert (await client.post("/units", json=UNIT, headers={"Authorization": f"Bearer {unsigned}"})).status_code == 401
    expired = bearer(settings, ["organization_board"], ttl_seconds=-10)
    r = await client.post("/units", json=UNIT, headers=expired)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "The token has expired"


async def test_wrong_role_is_403_and_writes_nothing(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, rt = api
    r = await client.post("/units", json=UNIT, headers=bearer(settings, ["examiner"]))
    assert r.status_code == 403
    body = r.json()
    assert body["title"] == "Forbidden" and body["title_vi"] == "Không có quyền"
    async with rt.ctx.sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM units"))).scalar_one() == 0


async def test_service_client_may_create_and_the_auditor_reads_the_decision(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, _ = api
    r = await client.post("/units", json=UNIT, headers=bearer(settings, ["service"]))
    assert r.status_code == 201
    denied = await client.get("/audit", params={"subject": "unit:PHUOCLONG"},
                              headers=bearer(settings, ["organization_board"]))
    assert denied.status_code == 403
    records = (await client.get("/audit", params={"subject": "unit:PHUOCLONG"},
                                headers=bearer(settings, ["auditor"]))).json()
    assert [r["action"] for r in records] == ["unit.create"]
    assert records[0]["reason"]["vi"] == "Tạo đơn vị Thị xã Phước Long (PHUOCLONG)"


async def test_unknown_parent_names_the_field_in_both_languages(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, rt = api
    r = await client.post("/units", json={**UNIT, "parent_code": "NOWHERE"}, headers=bearer(settings, ["service"]))
    assert r.status_code == 422
    [err] = r.json()["errors"]
    assert err["field"] == "parent_code" and "NOWHERE" in err["message_vi"] and "NOWHERE" in err["message_en"]
    async with rt.ctx.sessions() as s:
        counts = (await s.execute(text("SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM outbox)"))).one()
    assert tuple(counts) == (0, 0)


async def test_malformed_json_is_a_problem_not_a_500(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, _ = api
    r = await client.post("/units", content=b"{not json", headers={**bearer(settings, ["service"]),
                                                                  "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "json_invalid"


async def test_search_ignores_diacritics_and_sorts_in_vietnamese_order(api) -> None:  # type: ignore[no-untyped-def]
    client, settings, _ = api
    h = bearer(settings, ["service"])
    for code, name in [("DONGPHU", "Huyện Đồng Phú"), ("BUDOP", "Huyện Bù Đốp"), ("DONGXOAI", "Thành phố Đồng Xoài")]:
        assert (await client.post("/units", json={"code": code, "name": name, "kind": "district"},
                                  headers=h)).status_code == 201
    found = (await client.get("/units", params={"q": "dong"}, headers=h)).json()
    assert {u["code"] for u in found} == {"DONGPHU", "DONGXOAI"}
    assert [u["code"] for u in (await client.get("/units", headers=h)).json()] == ["BUDOP", "DONGPHU", "DONGXOAI"]


def test_default_secret_is_refused_outside_embedded() -> None:
    with pytest.raises(ValidationError, match="CADRE_JWT_SECRET"):
        Settings(profile="distributed")
    strong = "a-production-secret-of-32-bytes-or-more"
    assert Settings(profile="distributed", jwt_secret=strong).profile == "distributed"  # type: ignore[arg-type]
    assert Settings().jwt_secret.get_secret_value() == EMBEDDED_DEV_SECRET
