"""Authentication: JWT bearer tokens with roles and unit scope in their claims."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jwt

from shared.config import SERVICES, Settings
from shared.errors import Problem

ISSUER = "cadreflow"
ALL_UNITS = "*"
# The audience of the portal's session cookie: accepted by the portal alone, and only from its cookie (a bearer
# token's audience is a service's name; no service reads a cookie but the portal).
PORTAL_SESSION = "portal-session"
SESSION_COOKIE = "cadre_token"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person or a service client."""

    user_id: str
    roles: frozenset[str]
    units: frozenset[str] = field(default_factory=frozenset)
    name: str = ""
    unit: str | None = None  # the person's own unit (for conflict-of-interest checks)

    @property
    def province_wide(self) -> bool:
        return ALL_UNITS in self.units

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers_unit(self, unit_code: str | None) -> bool:
        """Whether this principal's unit scope includes the unit."""
        return unit_code is None or self.province_wide or unit_code in self.units


def issue_token(settings: Settings, *, user_id: str, roles: list[str], units: list[str],
                name: str = "", unit: str | None = None, ttl_seconds: int | None = None,
                audience: Sequence[str] = SERVICES) -> str:
    """Sign a bearer token for a principal, valid at the services named in ``audience`` (each service accepts
    only tokens naming it: a token minted for scheduling is refused by registration)."""
    if not audience or isinstance(audience, str):
        raise ValueError("audience: a non-empty list of service names")
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER, "sub": user_id, "aud": sorted(set(audience)), "roles": sorted(roles), "units": sorted(units),
        "name": name, "unit": unit, "iat": now, "exp": now + (ttl_seconds or settings.jwt_ttl_seconds),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def unauthenticated(en: str, vi: str) -> Problem:
    """A 401 problem."""
    return Problem(401, "unauthenticated", "Not authenticated", "Chưa xác thực", en, vi)


# (secret, audience, token) -> who, exp
_VERIFIED: OrderedDict[tuple[str, str, str], tuple[Principal, float]] = OrderedDict()
_VERIFIED_MAX = 4096


def decode_token(settings: Settings, token: str, *, audience: str) -> Principal:
    """Verify a token for one audience (the service, or ``PORTAL_SESSION`` for the portal's cookie); unsigned,
    forged, expired tokens and tokens for another audience are refused.

    A token that verified is remembered until its expiry (an approver's every request carries the same one, and
    verifying it again cost more than the inbox's query); an expired one is verified anew, and refused.
    """
    secret = settings.jwt_secret.get_secret_value()
    known = _VERIFIED.get((secret, audience, token))
    if known is not None and known[1] > time.time():
        return known[0]
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER, audience=audience,
                            options={"require": ["exp", "sub", "iss", "aud"]})
    except jwt.ExpiredSignatureError as exc:
        raise unauthenticated("The token has expired", "Mã truy cập đã hết hạn") from exc
    except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as exc:
        raise unauthenticated(f"The token is not meant for {audience}",
                              f"Mã truy cập không dành cho {audience}") from exc
    except jwt.PyJWTError as exc:
        raise unauthenticated("The token is not valid", "Mã truy cập không hợp lệ") from exc
    principal = Principal(user_id=str(claims["sub"]), roles=frozenset(claims.get("roles", [])),
                          units=frozenset(claims.get("units", [])), name=str(claims.get("name", "")),
                          unit=claims.get("unit"))
    _VERIFIED[(secret, audience, token)] = (principal, float(claims["exp"]))
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return principal


def demo_users() -> dict[str, dict[str, Any]]:
    """The embedded profile's demo users and service clients, from package data."""
    text = resources.files("shared").joinpath("demo_users.json").read_text(encoding="utf-8")
    return {u["user_id"]: u for u in json.loads(text)["users"]}


def token_for_demo_user(settings: Settings, user_id: str, *, audience: Sequence[str] = SERVICES) -> str:
    """Issue a token for one of the embedded profile's demo users."""
    users = demo_users()
    if user_id not in users:
        raise KeyError(user_id)
    u = users[user_id]
    return issue_token(settings, user_id=user_id, roles=u["roles"], units=u["units"],
                       name=u.get("name", ""), unit=u.get("unit"), audience=audience)
