"""The date a registration's rules are evaluated on: the plan's dispatch date, else the submission date."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text

from services.registration.adapters.catalogue import PlanItem
from shared.policy import load_policy_book
from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import YEAR, app, person, submit

__all__ = ["app"]
CHECKS = load_policy_book().in_force("registration_checks", date.today()).version_id
AUTHORITY = load_policy_book().in_force("management_authority", date(YEAR, 9, 1)).version_id


async def audit_inputs(a: App, registration_id: str) -> dict[str, object]:
    async with a.ctx.sessions() as s:
        body = (await s.execute(text("SELECT body FROM audit_log WHERE subject=:s"),
                                {"s": f"registration:{registration_id}"})).scalar_one()
    inputs: dict[str, object] = json.loads(body)["inputs"]
    return inputs


async def test_without_a_dispatch_date_the_rules_apply_on_the_submission_date(app: App) -> None:
    oid = await person(app, category="cadre")  # QLNN targets civil servants: one eligibility finding
    reg = (await submit(app, oid, "QLNN")).json()
    assert (reg["rule_date"], reg["rule_date_source"]) == (date.today().isoformat(), "submission_date")
    finding = reg["findings"][0]
    assert finding["code"] == "eligibility"
    assert (finding["rule"], finding["rule_version"]) == ("registration_checks", CHECKS)
    assert finding["evaluated_on"] == date.today().isoformat() and "Nghị định 101/2017" in finding["rule_source_vi"]


async def test_a_plans_dispatch_date_sets_the_rule_date_shown_with_each_finding_and_audited(app: App) -> None:
    dispatch = date(YEAR, 9, 1)
    app.catalogue.items[YEAR] = [PlanItem("QLNN", 60, {"DONGXOAI": 5}, dispatch_date=dispatch)]
    oid = await person(app, category="cadre")
    reg = (await submit(app, oid, "QLNN")).json()
    assert (reg["rule_date"], reg["rule_date_source"]) == (dispatch.isoformat(), "plan_dispatch_date")
    assert {f["evaluated_on"] for f in reg["findings"]} == {dispatch.isoformat()}
    inputs = await audit_inputs(app, reg["id"])
    assert (inputs["rule_date"], inputs["rule_date_source"]) == (dispatch.isoformat(), "plan_dispatch_date")
    assert inputs["rules"] == {"registration_checks": CHECKS, "management_authority": AUTHORITY}
