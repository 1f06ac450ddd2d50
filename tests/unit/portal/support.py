"""Portal unit-test helpers: a migrated SQLite portal, its app behind httpx, a fake Update sender, tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from contracts.human_tasks import CreateTaskInput, TaskAction, TaskDecision, TaskInputField, TaskRequest
from contracts.tasks import schema_of
from services.portal import pages
from services.portal.activities import PortalActivities
from services.portal.adapters.people import demo_directory
from services.portal.adapters.updates import UpdateRefused
from services.portal.api import record, substitutes, ui
from services.portal.api import tasks as api
from services.portal.config import PortalSettings
from services.portal.models import INFRA, metadata
from shared.auth import issue_token, token_for_demo_user
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.migrate import upgrade
from shared.web import build_app
from tests.unit.portal.samples import sample_dossier

APPROVE = TaskAction("approve", "Phê duyệt", "Approve", "approve")
REFUSE = TaskAction("refuse", "Từ chối", "Refuse", "refuse", requires_comment=True)
MARK = TaskAction("mark", "Chấm điểm", "Mark", "mark",
                  inputs=[TaskInputField("mark", "Điểm", "Mark", kind="number", minimum=0, maximum=100)])


@dataclass
class FakeUpdateSender:
    """Stands in for Temporal: records Updates; refuses with a validator-like reason when told to."""

    sent: list[tuple[str, str, TaskDecision]] = field(default_factory=list)
    refuse_with: str | None = None

    async def send(self, *, workflow_id: str, update_name: str, decision: TaskDecision) -> str:
        if self.refuse_with:
            code, _, rest = self.refuse_with.partition(": ")
            en, _, vi = rest.partition(" / ")
            raise UpdateRefused(code, en, vi)
        self.sent.append((workflow_id, update_name, decision))
        return "accepted"


@dataclass
class Portal:
    """A portal on SQLite with its app, activities and a fake sender."""

    settings: Settings
    ctx: ServiceContext
    app: FastAPI
    sender: FakeUpdateSender
    acts: PortalActivities

    def client(self, user: str | None = None, **claims: Any) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.token(user, **claims)}"} if user else {}
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://portal",
                                 headers=headers)

    def token(self, user: str | None, **claims: Any) -> str:
        if claims:
            return issue_token(self.settings, user_id=str(user), roles=claims["roles"],
                               units=claims.get("units", ["*"]), unit=claims.get("unit"))
        return token_for_demo_user(self.settings, str(user))

    async def ask(self, *, key: str = "review", workflow_id: str = "wf-1", **request: Any) -> str:
        """File a task as a workflow would."""
        defaults: dict[str, Any] = {
            "kind": "registration_review", "title_vi": "Xét duyệt đăng ký", "title_en": "Review a registration",
            "subject": "registration:R1", "candidate_roles": ["organization_board"], "actions": [APPROVE, REFUSE],
            "dossier": {"Họ và tên": "Nguyễn Thị Hoa", "Chương trình": "Trung cấp lý luận chính trị"}}
        merged = {**defaults, **request}
        # a kind with a view schema files its view (the portal checks it); the given keys override the sample's
        sample = sample_dossier(merged["kind"]) if schema_of(merged["kind"]) else None
        if sample is not None:
            merged["dossier"] = {**sample, **request.get("dossier", {})}
        req = TaskRequest(task_key=key, **merged)
        return await self.acts.create_task(CreateTaskInput(workflow_id, "run-1", "Probe", "complete_task", req))


async def make_portal(tmp: Path, *, settings: Settings | None = None, demo_login: bool = False) -> Portal:
    """A migrated portal database on SQLite and the app wired as main.py wires it (bar Temporal)."""
    settings = settings or Settings(data_dir=tmp)
    url = settings.db_url("portal")
    await upgrade("portal", url)
    ctx = build_context("portal", settings, metadata, INFRA, url=url)
    sender = FakeUpdateSender()
    app = build_app(service="portal", title="portal", settings=settings,
                    routers=[api.router, substitutes.router, ui.router, record.router, pages.build_router()],
                    readiness={}, state={"ctx": ctx, "update_sender": sender, "directory": demo_directory(),
                                         "portal_settings": PortalSettings(demo_login=demo_login)})
    return Portal(settings, ctx, app, sender, PortalActivities(ctx, demo_directory()))
