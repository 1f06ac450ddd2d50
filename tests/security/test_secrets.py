"""Item 9: the development secret is refused with any real component, short secrets are refused, `cadre token` is
for the embedded profile only, tokens are per service, the portal's session cookie is the portal's alone."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.auth import PORTAL_SESSION, SESSION_COOKIE, issue_token
from shared.config import EMBEDDED_DEV_SECRET, Settings
from tests.security.support import Services, build_services
from tests.support.stack import ROOT

STRONG = "a-real-deployment-secret-of-forty-bytes!"


@pytest.mark.parametrize("real", [
    {"database_url": "postgresql+asyncpg://u@db:5432/cadre_{service}"},
    {"event_transport": "kafka"},
    {"temporal_address": "temporal.tinh.gov.vn:7233"},
    {"profile": "distributed"},
])
def test_the_development_secret_is_refused_with_a_real_component(real: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="development secret is refused") as refused:
        Settings(**real)  # type: ignore[arg-type]
    assert EMBEDDED_DEV_SECRET not in str(refused.value)
    assert Settings(**real, jwt_secret=STRONG).jwt_secret.get_secret_value() == STRONG  # type: ignore[arg-type]


def test_short_secrets_are_refused_whatever_the_profile() -> None:
    for profile in ("embedded", "distributed"):
        with pytest.raises(ValidationError, match="at least 32 bytes") as refused:
            Settings(profile=profile, jwt_secret="s3cret-for-prod")  # type: ignore[arg-type]
        assert "s3cret-for-prod" not in str(refused.value)  # the secret is not echoed


def test_cadre_token_works_in_the_embedded_profile_only(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")} | {"CADRE_DATA_DIR": str(tmp_path)}

    def token(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli.main", "token", "btc.nguyenvanhai"], cwd=ROOT,
                              env={**base, **env}, capture_output=True, text=True, timeout=60)

    assert token().returncode == 0
    refused = token(CADRE_PROFILE="distributed", CADRE_JWT_SECRET=STRONG)
    assert refused.returncode == 2 and "embedded profile only" in refused.stderr and not refused.stdout
    with_pg = token(CADRE_DATABASE_URL="postgresql+asyncpg://u@db/cadre_{service}", CADRE_JWT_SECRET=STRONG)
    assert with_pg.returncode == 2 and not with_pg.stdout


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    s = await build_services(tmp_path)
    yield s
    await s.close()


async def test_a_token_for_one_service_is_refused_by_the_others(services: Services) -> None:
    scheduling_only = services.token(["organization_board"], ["*"], audience=["scheduling"])
    h = {"Authorization": f"Bearer {scheduling_only}"}
    assert (await services.client("scheduling").get("/programmes", headers=h)).status_code == 200
    refused = await services.client("registration").get("/units", headers=h)
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail_vi"]
    no_audience = issue_token(services.settings, user_id="x", roles=["organization_board"], units=["*"],
                              audience=["somewhere-else"])
    assert (await services.client("scheduling").get("/programmes", headers={
        "Authorization": f"Bearer {no_audience}"})).status_code == 401


async def test_the_portal_session_cookie_is_accepted_by_the_portal_alone(services: Services) -> None:
    cookie = issue_token(services.settings, user_id="btc.nguyenvanhai", roles=["organization_board"], units=["*"],
                         audience=[PORTAL_SESSION])
    portal = services.client("portal")

    def as_session(token: str) -> dict[str, str]:  # the Cookie header itself (httpx deprecates per-request cookies)
        return {"cookie": f"{SESSION_COOKIE}={token}"}

    assert (await portal.get("/tasks", headers=as_session(cookie))).status_code == 200
    for svc, path in (("registration", "/units"), ("scheduling", "/programmes"), ("selection", "/campaigns")):
        as_cookie = await services.client(svc).get(path, headers=as_session(cookie))
        as_bearer = await services.client(svc).get(path, headers={"Authorization": f"Bearer {cookie}"})
        assert (as_cookie.status_code, as_bearer.status_code) == (401, 401), svc
    bearer_as_cookie = services.token(["organization_board"], ["*"])  # a bearer token is no session
    assert (await portal.get("/tasks", headers=as_session(bearer_as_cookie))).status_code == 401
