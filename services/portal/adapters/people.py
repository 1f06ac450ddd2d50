"""Who the portal can hand a task to: the directory of people (their roles, unit scope and own unit).

A bearer token tells the portal who is calling; assigning, delegating and substituting name *someone else*, and
the portal must know that person's roles and units to check that they could decide the task themselves
(shared.authz.authorize_handover). The directory comes from a JSON file (CADRE_PORTAL_DIRECTORY_FILE, the shape of
shared/demo_users.json); the embedded profile (and a portal with demo sign-in) uses the demo users. With neither,
the directory is empty and every hand-over is refused (fail closed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.portal.config import PortalSettings, demo_login_enabled
from shared.auth import Principal, demo_users
from shared.config import Settings


def _principal(u: Mapping[str, Any]) -> Principal:
    return Principal(user_id=str(u["user_id"]), roles=frozenset(u.get("roles") or []),
                     units=frozenset(u.get("units") or []), name=str(u.get("name") or ""), unit=u.get("unit"))


@dataclass(frozen=True)
class Directory:
    """People by user id."""

    people: Mapping[str, Principal] = field(default_factory=dict)

    @classmethod
    def of(cls, users: Iterable[Mapping[str, Any]]) -> Directory:
        return cls({str(u["user_id"]): _principal(u) for u in users})

    def find(self, user_id: str) -> Principal | None:
        """The person, or None when the directory does not know them."""
        return self.people.get(user_id)


def demo_directory() -> Directory:
    """The embedded profile's demo users."""
    return Directory.of(demo_users().values())


def load_directory(settings: Settings, portal: PortalSettings) -> Directory:
    """The configured directory file; else the demo users where demo sign-in is on; else nobody."""
    if portal.directory_file is not None:
        doc = json.loads(portal.directory_file.read_text(encoding="utf-8"))
        return Directory.of(doc["users"])
    if demo_login_enabled(settings, portal):
        return demo_directory()
    return Directory()
