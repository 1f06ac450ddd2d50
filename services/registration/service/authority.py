"""Management authority of an official on a date: the rule in force (policy data) applied to the dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.registration.adapters.policies import book, in_force
from services.registration.domain.authority import Authority, Official, managing_authority
from services.registration.models import Official as OfficialRow
from shared.errors import invalid
from shared.policy import PolicyNotInForceError


def authority_of(official: OfficialRow, on: date, *, field_name: str) -> Authority:
    """The body that manages the official on `on` (422 on `field_name` when no version is in force then)."""
    try:
        version = in_force("management_authority", on)
    except PolicyNotInForceError as exc:
        raise invalid(field_name, "policy_not_in_force", str(exc),
                      f"Không có quy định phân cấp quản lý cán bộ áp dụng vào ngày {on.strftime('%d/%m/%Y')}") from exc
    who = Official(category=official.category, position_level=official.position_level, title=official.title)
    return managing_authority(who, version, on)


def authority_record(a: Authority) -> dict[str, object]:
    """The authority as an audit record's inputs and an event carry it."""
    return {"body": a.body, "body_vi": a.body_vi, "body_en": a.body_en, "approver_roles": list(a.approver_roles),
            "rule_id": a.rule_id, "rule_vi": a.reason_vi, "rule_en": a.reason_en, "version_id": a.version_id,
            "evaluated_on": a.evaluated_on.isoformat()}


@dataclass(frozen=True)
class Body:
    """A managing body as a recorded rule version names it."""

    code: str
    vi: str
    en: str
    approver_roles: tuple[str, ...]


def recorded_body(authority_rule: str | None, body: str | None) -> Body | None:
    """The body a row recorded ("<version_id>#<rule id>" and its code), by that version; None when none was."""
    if not authority_rule or not body:
        return None
    found = book().version(authority_rule.split("#", 1)[0]).param("bodies")[body]
    return Body(body, str(found["vi"]), str(found["en"]), tuple(str(r) for r in found["approver_roles"]))
