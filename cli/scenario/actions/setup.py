"""Steps that set the stage: units, officials, programmes and plans (bulk import endpoints where they exist)."""

from __future__ import annotations

from typing import Any

from cli.scenario.client import StepFailed
from cli.scenario.people import NamePoolExhausted, Person, generate, listed
from cli.scenario.state import Official, RunState

IMPORT_BATCH = 1000


def _import_problems(report: dict[str, Any]) -> str:
    return "; ".join(f"row {e['row']} {e['column']}: {e['message_en']}" for e in report.get("errors", [])[:5])


async def create_units(st: RunState, step: dict[str, Any]) -> None:
    """Register the units through registration's unit import (known codes are left unchanged)."""
    rows = [{"row": i + 2, "values": {"code": u["code"], "name": u["name"], "kind": u["kind"],
                                      "parent_code": u.get("parent_code", "")}}
            for i, u in enumerate(step["units"])]
    report = await st.api.post("registration", "/units/import", user=step["by"], json={"rows": rows})
    if report["rejected"]:
        raise StepFailed(f"units refused: {_import_problems(report)}")
    st.count("units", len(rows))


async def import_officials(st: RunState, step: dict[str, Any]) -> None:
    """Import listed and generated officials in batches, then read their ids back from the registry."""
    batch: list[Person] = []
    serial = len(st.people) + 1
    for o in step.get("officials", []):
        batch.append(listed(o, serial))
        serial += 1
    for spec in step.get("generate", []):
        try:
            made = generate(spec, st.names, serial)
        except NamePoolExhausted as exc:
            raise StepFailed(f"import_officials: {exc}") from exc
        batch += made
        serial += len(made)
    task = st.progress.add_task("Nhập cán bộ / importing officials", total=len(batch))
    for start in range(0, len(batch), IMPORT_BATCH):
        chunk = batch[start:start + IMPORT_BATCH]
        rows = [{"row": start + i + 2, "values": p.values} for i, p in enumerate(chunk)]
        report = await st.api.post("registration", "/officials/import", user=step["by"], json={"rows": rows})
        if report["rejected"]:
            raise StepFailed(f"officials refused: {_import_problems(report)}")
        st.progress.advance(task, len(chunk))
    st.people += batch
    await _read_back(st, step["by"], batch)
    st.count("officials", len(batch))


async def _read_back(st: RunState, user: str, batch: list[Person]) -> None:
    """Map each imported person to the registry's id by unit and (unique) full name."""
    for unit in sorted({p.unit_code for p in batch}):
        found: dict[str, str] = {}
        offset = 0
        while True:
            page = await st.api.get("registration", "/officials", user=user, unit=unit, limit=5000, offset=offset)
            found.update({o["full_name"]: o["id"] for o in page})
            if len(page) < 5000:
                break
            offset += 5000
        for p in (p for p in batch if p.unit_code == unit):
            if p.full_name not in found:
                raise StepFailed(f"{p.full_name} ({unit}) was imported but is not listed by the registry")
            st.officials[p.key] = Official(p.key, found[p.full_name], p.full_name, unit)


async def define_programmes(st: RunState, step: dict[str, Any]) -> None:
    """Define each programme (one already defined with the same code is kept)."""
    for p in step["programmes"]:
        body = {k: p[k] for k in ("code", "name", "category", "mode", "hours", "provider", "effective_from")}
        body["target_criteria"] = p.get("target_criteria", {})
        if p.get("name_en"):
            body["name_en"] = p["name_en"]
        resp = await st.api.request("POST", "scheduling", "/programmes", user=step["by"], json=body,
                                    ok=(201, 409))
        st.count("programmes_created" if resp.status_code == 201 else "programmes_existing")


async def adopt_plan(st: RunState, step: dict[str, Any]) -> None:
    """Adopt a plan with its quotas and allocations (an existing plan of that number and year is reused)."""
    plan = step["plan"]
    body = {"number": plan["number"], "year": plan["year"], "title": plan.get("title", ""),
            "items": [{"programme_code": i["programme"], "quota": i["quota"], "allocations": i.get("allocations", {}),
                       "priority_fields": i.get("priority_fields", [])} for i in plan["items"]]}
    if plan.get("dispatch_date"):
        body["dispatch_date"] = str(plan["dispatch_date"])
    resp = await st.api.request("POST", "scheduling", "/plans", user=step["by"], json=body, ok=(201, 409))
    if resp.status_code == 201:
        st.plans[plan["number"]] = resp.json()
        return
    existing = await st.api.get("scheduling", "/plans", user=step["by"], year=plan["year"])
    st.plans[plan["number"]] = next(p for p in existing if p["number"] == plan["number"])
