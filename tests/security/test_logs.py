"""Item 7: no personal identification number and no credential in any log line — a full scenario's logs and the
error paths' (a 500 with a personal id in the handler's locals, refused tokens, a failing import) all pass through
the personal-id scan and a bearer-token pattern with zero hits."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.registration.service import officials
from shared.events.envelope import looks_like_personal_id
from shared.logging import configure_logging, get_logger
from tests.security.support import OTHER, OWN, Services, build_services, official_body, seed_two_units

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+")
BEARER = re.compile(r"(?i)bearer\s+(?!\[credential masked\])\S+")


def hits(text: str, secrets: list[str]) -> list[str]:
    found = [line for line in text.splitlines() if looks_like_personal_id(line)]
    found += JWT.findall(text) + BEARER.findall(text)
    found += [s[-24:] for s in secrets if s[-24:] in text]  # any tail of a token actually used
    return found


@pytest.fixture
async def logged(tmp_path: Path) -> AsyncIterator[tuple[Services, io.StringIO]]:
    out = io.StringIO()  # what var/logs/registration.log would receive
    configure_logging("DEBUG", process="registration", stream=out)
    services = await build_services(tmp_path)
    yield services, out
    await services.close()
    configure_logging("WARNING")


async def test_a_scenario_and_its_error_paths_log_no_personal_id_and_no_token(
        logged: tuple[Services, io.StringIO], monkeypatch: pytest.MonkeyPatch) -> None:
    services, out = logged
    tokens = [services.token(["organization_board"], ["*"]), services.token(["unit_officer"], [OWN])]
    board, officer = ({"Authorization": f"Bearer {t}"} for t in tokens)
    reg = services.client("registration")
    seed = await seed_two_units(services)  # units, officials, enrolments through the APIs and services
    await reg.get("/officials", headers=board)
    await reg.get(f"/officials/{seed.officials[OWN]}", headers=officer)
    await reg.get("/units?format=xlsx", headers=board)
    await reg.post("/officials/import", headers=officer, json={"rows": [{"row": 2, "values": {
        "personal_id": seed.personal_ids[OTHER], "full_name": "X Y", "gender": "male", "birth_date": "1975",
        "category": "cadre", "unit_code": OWN}}]})
    await reg.post("/officials", headers=officer, json=official_body(seed.personal_ids[OTHER], OWN))  # 403
    await reg.post("/officials", headers=board, json=official_body("001075099999", "NOWHERE"))  # 422
    await reg.get("/officials", headers={"Authorization": f"Bearer {tokens[0]}x"})  # forged: 401
    await reg.get("/officials", headers={"Authorization": "Bearer eyJhbGciOi.not-a-token.at-all"})

    async def boom(*args: object, **kwargs: object) -> None:
        personal_id = "001075012399"  # a local of the failing frame, as the upsert's were
        raise RuntimeError(f"database refused the row of {personal_id} (Authorization: Bearer {tokens[0]})")

    monkeypatch.setattr(officials, "upsert_official", boom)
    failed = await reg.post("/officials", headers=board, json=official_body("001075012399", OWN))
    assert failed.status_code == 500
    get_logger("test").error("direct", body=official_body("001075012388", OWN), token=tokens[1], n=1075012388001)
    logging.getLogger("uvicorn.error").error("stdlib %s Bearer %s", "001075012377", tokens[1], exc_info=True)
    text = out.getvalue()
    assert "unhandled_error" in text and "direct" in text and "stdlib" in text  # the logs were captured
    assert hits(text, tokens) == []
    assert "*********399" in text  # masked, not dropped: the last three digits stay for support


def test_the_scan_finds_what_an_unmasked_log_would_carry() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert hits(f'{{"pid": "001075012345", "h": "Bearer {token}"}}', [token])
