"""A verified token is remembered only until it expires, and only for the secret that verified it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from shared import auth
from shared.auth import decode_token, issue_token
from shared.config import Settings
from shared.errors import Problem


def test_a_remembered_token_is_refused_once_it_expires(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    token = issue_token(settings, user_id="btc.a", roles=["organization_board"], units=["*"], ttl_seconds=1)
    assert decode_token(settings, token, audience="portal").user_id == "btc.a"
    assert (settings.jwt_secret.get_secret_value(), "portal", token) in auth._VERIFIED
    assert decode_token(settings, token, audience="portal").user_id == "btc.a"  # from the cache
    time.sleep(2.1)
    with pytest.raises(Problem) as refused:
        decode_token(settings, token, audience="portal")
    assert refused.value.status == 401 and refused.value.detail_en == "The token has expired"


def test_a_token_remembered_under_one_secret_is_not_accepted_under_another(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    token = issue_token(settings, user_id="btc.a", roles=["organization_board"], units=["*"])
    assert decode_token(settings, token, audience="portal").user_id == "btc.a"
    other = settings.model_copy(update={"jwt_secret": SecretStr("another-secret-of-enough-length-0123456789")})
    with pytest.raises(Problem) as refused:
        decode_token(other, token, audience="portal")
    assert refused.value.status == 401
