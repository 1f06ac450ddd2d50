"""Management authority (#18 item 3): a review goes to the approvers of the body that manages the official. The
attacks: a unit officer decides the review of a cadre the Standing Committee manages; a unit officer of another unit
decides a unit-managed review. Both are refused by the portal; the managing body's approvers are not.

The review is filed as the real chain files it: the rule in force (policy data) → registration's record of it →
the RegistrationFlagged starter's input → the workflow's candidate roles and dossier; only Temporal is left out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from contracts.registration import RegistrationReviewInput
from services.registration.domain.authority import Official, managing_authority
from services.registration.service.authority import authority_record
from shared.policy import load_policy_book
from tests.unit.portal.support import Portal, make_portal
from workflows.registration_review import authority_words, review_actions
from workflows.starters import authority_of

ON = date(2026, 3, 1)
DECIDE = {"action": "approve", "comment": "Đồng ý"}


async def _file(portal: Portal, who: Official, unit: str, submitted_by: str) -> tuple[str, list[str]]:
    version = load_policy_book().in_force("management_authority", ON)
    inp = RegistrationReviewInput(
        registration_id="R1", unit_code=unit, official_name="Trần Thị Ngọc Hân", programme_code="CCLLCT-TT",
        plan_year=2026, class_id=None, findings=[], policy_version="registration-checks/2026-2",
        submitted_by=submitted_by, authority=authority_of(authority_record(managing_authority(who, version, ON))))
    roles = inp.reviewer_roles()
    task_id = await portal.ask(candidate_roles=roles, unit_scope=unit, excluded_users=[submitted_by],
                               actions=review_actions(), dossier=authority_words(inp))
    return task_id, roles


async def test_a_unit_officer_cannot_decide_the_review_of_a_provincially_managed_cadre(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    task_id, roles = await _file(portal, Official("cadre", "district_leader"), "BINHLONG", "tc.dongxoai")
    assert roles == ["committee_chair"]
    for user, claims in (("tc.binhlong", {}), ("tc.binhlong.2", {"roles": ["unit_officer"], "units": ["BINHLONG"],
                                                                 "unit": "BINHLONG"}), ("btc.tranthithu", {})):
        async with portal.client(user, **claims) as c:
            resp = await c.post(f"/tasks/{task_id}/complete", json=DECIDE)
        assert resp.status_code == 403, (user, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json") and resp.json()["detail_vi"]
    assert portal.sender.sent == []
    async with portal.client("bt.ngoquangvinh") as c:  # the Standing Committee's chair signs for it
        shown = (await c.get(f"/tasks/{task_id}")).json()
        resp = await c.post(f"/tasks/{task_id}/complete", json=DECIDE)
    assert resp.status_code == 200, resp.text
    assert [d.actor_id for _, _, d in portal.sender.sent] == ["bt.ngoquangvinh"]
    assert shown["dossier"]["managing_body_vi"] == "Ban Thường vụ Tỉnh ủy"


async def test_a_unit_officer_of_another_unit_cannot_decide_a_unit_managed_review(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    task_id, roles = await _file(portal, Official("civil_servant", "staff"), "DONGXOAI", "tc.dongxoai")
    assert set(roles) == {"unit_officer", "organization_board"}
    for user in ("tc.binhlong", "tc.dongxoai"):  # another unit; the submitter (four eyes)
        async with portal.client(user) as c:
            resp = await c.post(f"/tasks/{task_id}/complete", json=DECIDE)
        assert resp.status_code == 403, (user, resp.text)
    async with portal.client("tc.dongxoai.2", roles=["unit_officer"], units=["DONGXOAI"], unit="DONGXOAI") as c:
        resp = await c.post(f"/tasks/{task_id}/complete", json=DECIDE)
    assert resp.status_code == 200, resp.text
    assert [d.actor_id for _, _, d in portal.sender.sent] == ["tc.dongxoai.2"]
