"""Helpers shared by selection's service modules: JSON columns, look-ups, the audit of decisions."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from services.selection.models import Campaign
from shared.audit import Actor, AuditEntry, canonical_json
from shared.errors import not_found
from shared.metrics import DECISIONS
from shared.policy import PolicyBook, load_policy_book
from shared.uow import UnitOfWork

SYSTEM = Actor(user_id="svc.selection", role="service")


@lru_cache(maxsize=1)
def policy_book() -> PolicyBook:
    """The policy book, loaded on first use (never at import)."""
    return load_policy_book()


def dumps(value: Any) -> str:
    """Canonical JSON text of a column value."""
    return canonical_json(value)


def loads(text: str | None) -> Any:
    """A JSON column's value (None stays None)."""
    return None if text is None else json.loads(text)


def settings_of(campaign: Campaign) -> dict[str, Any]:
    """A campaign's settings."""
    value: dict[str, Any] = json.loads(campaign.settings)
    return value


def proposal_date(campaign: Campaign) -> date:
    """The campaign's proposal date (the reference date of its rules)."""
    return date.fromisoformat(settings_of(campaign)["proposal_date"])


def policy_of(campaign: Campaign) -> dict[str, str]:
    """Rule key → version id recorded when the campaign was created."""
    value: dict[str, str] = json.loads(campaign.policy)
    return value


async def get_campaign(uow_or_session: Any, campaign_id: str, *, lock: bool = False) -> Campaign:
    """The campaign, or a 404 problem."""
    session = uow_or_session.session if isinstance(uow_or_session, UnitOfWork) else uow_or_session
    query = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        query = query.with_for_update()
    campaign = (await session.execute(query)).scalar_one_or_none()
    if campaign is None:
        raise not_found("Campaign", "đợt tuyển chọn", campaign_id)
    return campaign


async def record_decision(uow: UnitOfWork, *, actor: Actor, action: str, subject: str, reason_vi: str,
                          reason_en: str, inputs: dict[str, Any], policy_version: str | None,
                          workflow: tuple[str | None, str | None] = (None, None), outcome: str = "recorded",
                          kind: str | None = None) -> None:
    """Write one decision's audit record (with the policy version and workflow ids) and count it."""
    uow.audit(AuditEntry(actor=actor, action=action, subject=subject, reason_vi=reason_vi,
                         reason_en=reason_en, inputs=inputs, policy_version=policy_version,
                         workflow_id=workflow[0], run_id=workflow[1]))
    DECISIONS.labels(kind or action, outcome).inc()
