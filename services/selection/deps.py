"""What selection's routers share: the caller's audit actor, a campaign as the API returns it."""

from __future__ import annotations

from services.selection.models import Campaign
from services.selection.schemas import CampaignRead
from services.selection.service.campaign_store import policy_of, settings_of
from shared.audit import Actor
from shared.auth import Principal


def actor_of(principal: Principal) -> Actor:
    """The audit actor for a caller."""
    return Actor(user_id=principal.user_id, role=sorted(principal.roles)[0] if principal.roles else "none")


def campaign_read(c: Campaign) -> CampaignRead:
    """A campaign as returned by the API."""
    s = settings_of(c)
    return CampaignRead(id=c.id, number=c.number, title=c.title, status=c.status, step=c.step,
                        workflow_id=c.workflow_id, marking_closed=c.marking_closed,
                        groups=[{"code": g["code"], "name": g["name"], "seats": g["seats"],
                                 "class_id": g.get("class_id")} for g in s["groups"]],
                        policy=policy_of(c), created_at=c.created_at)
