"""Who an audit record names for a caller: one rule for every service."""

from __future__ import annotations

from shared.audit import Actor
from shared.auth import Principal


def actor_of(principal: Principal) -> Actor:
    """The audit actor for a caller: the user and their first role in sorted order ("none" without a role)."""
    return Actor(user_id=principal.user_id, role=sorted(principal.roles)[0] if principal.roles else "none")
