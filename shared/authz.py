"""Who may do what: the one place every endpoint and every task asks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import Principal, decode_token, unauthenticated
from shared.config import Settings
from shared.errors import Problem

# action -> roles allowed to perform it. Unit scope is checked on top where a unit is named.
PERMISSIONS: dict[str, frozenset[str]] = {
    "unit.create": frozenset({"organization_board", "service"}),
    "unit.read": frozenset({"organization_board", "unit_officer", "auditor", "service", "institution_staff"}),
    "unit.reorganise": frozenset({"organization_board"}),
    "official.write": frozenset({"organization_board", "unit_officer", "service"}),
    "official.read": frozenset({"organization_board", "unit_officer", "auditor", "service"}),
    "official.import": frozenset({"organization_board", "unit_officer", "service"}),
    "registration.submit": frozenset({"unit_officer", "organization_board"}),
    "registration.read": frozenset({"unit_officer", "organization_board", "auditor", "service"}),
    "registration.review": frozenset({"organization_board"}),
    "conflict.read": frozenset({"organization_board", "auditor"}),
    "compliance.read": frozenset({"organization_board", "unit_officer", "auditor", "service"}),
    "programme.write": frozenset({"organization_board"}),
    "plan.write": frozenset({"organization_board"}),
    "catalogue.read": frozenset({"organization_board", "unit_officer", "institution_staff", "auditor", "service",
                                 "examiner", "committee_member", "committee_chair"}),
    "class.write": frozenset({"organization_board", "institution_staff"}),
    "class.decide": frozenset({"organization_board"}),
    "enrolment.write": frozenset({"organization_board", "service"}),
    "attendance.write": frozenset({"institution_staff", "organization_board"}),
    "campaign.write": frozenset({"organization_board", "service"}),
    "campaign.read": frozenset({"organization_board", "auditor", "service", "committee_member",
                                "committee_chair"}),
    "nomination.propose": frozenset({"unit_officer", "organization_board"}),
    "ballot.cast": frozenset({"voter", "ballot_token"}),
    "task.read": frozenset({"organization_board", "unit_officer", "examiner", "marking_head", "council_chair",
                            "committee_member", "committee_chair", "institution_staff"}),
    "task.assign": frozenset({"organization_board"}),
    "audit.read": frozenset({"auditor"}),
    "audit.verify": frozenset({"auditor", "operator"}),
    "report.read": frozenset({"organization_board", "auditor", "service"}),
}


def forbidden(en: str, vi: str) -> Problem:
    """A 403 problem with the reason in both languages."""
    return Problem(403, "forbidden", "Forbidden", "Không có quyền", en, vi)


def authorize(principal: Principal, action: str, *, unit: str | None = None) -> None:
    """Raise a 403 unless the principal may perform the action (on that unit)."""
    allowed = PERMISSIONS.get(action)
    if allowed is None:
        raise forbidden(f"Unknown action {action}", f"Hành động không xác định {action}")
    if not principal.roles.intersection(allowed):
        raise forbidden(f"Your roles do not allow '{action}'",
                        f"Vai trò của bạn không được phép thực hiện '{action}'")
    if not principal.covers_unit(unit):
        raise forbidden(f"Unit {unit} is outside your scope", f"Đơn vị {unit} nằm ngoài phạm vi của bạn")


_bearer = HTTPBearer(auto_error=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def current_principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated caller, from the bearer token (or the portal's session cookie)."""
    token = creds.credentials if creds else request.cookies.get("cadre_token")
    if not token:
        raise unauthenticated("A bearer token is required", "Cần mã truy cập (bearer token)")
    principal = decode_token(_settings(request), token)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def allowed(action: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, once checked for the action (unit checks follow in the handler)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        authorize(principal, action)
        return principal

    dependency.__name__ = f"allowed_{action.replace('.', '_')}"
    return dependency
