"""The Organization Board's pages: conflicts, compliance per unit, classes, plans against actual, campaigns, the
annual report and its XLSX file (each read from the API that holds it, with the same authorisation)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.portal.pages.charts import Series, bars
from services.portal.pages.http import call, get
from services.portal.pages.nav import may
from services.portal.pages.readers import by_name, by_text, programme_names, unit_names
from services.portal.pages.session import admitted, render, show
from services.portal.pages.words import fill, translator
from services.portal.ui.i18n import lang_of
from shared.auth import Principal
from shared.errors import Problem

router = APIRouter(include_in_schema=False)
Year = Query(default=None, ge=2000, le=2100)


def _year(year: int | None) -> int:
    return year or date.today().year


@router.get("/ui/conflicts")
async def conflicts_page(request: Request, year: int | None = Year) -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        found = await get(request, p, "registration", "/conflicts", year=_year(year))
        classes = {c["id"]: c for c in await get(request, p, "scheduling", "/classes")}
        return {"year": _year(year), "overlaps": by_name(found["overlaps"], "official_name"),
                "duplicates": by_name(found["duplicates"], "official_name"), "classes": classes,
                "units": await unit_names(request, p), "programmes": await programme_names(request, p)}
    return await show(request, "conflict.read", "pages/conflicts.html", load)


@router.get("/ui/compliance")
async def compliance_page(request: Request, year: int | None = Year) -> Response:
    lang = lang_of(request)

    async def load(p: Principal) -> dict[str, Any]:
        found = await get(request, p, "registration", "/compliance", year=_year(year))
        units = by_text(found["units"], "unit_name")
        required = float(found.get("required_share") or 0) * 100
        chart = bars(fill("compliance_chart", lang, year=_year(year)), [str(u["unit_name"]) for u in units],
                     [Series(translator(lang)["share"], [float(u["percentage"]) for u in units], " %")],
                     maximum=100, mark=required, mark_label=f"{required:g} %")
        return {"year": _year(year), "found": found, "rows": units, "chart": chart, "required": required,
                "missing": by_name(found["not_trained"]), "units": await unit_names(request, p)}
    return await show(request, "compliance.read", "pages/compliance.html", load)


@router.get("/ui/classes")
async def classes_page(request: Request) -> Response:
    lang = lang_of(request)

    async def load(p: Principal) -> dict[str, Any]:
        classes = by_text(await get(request, p, "scheduling", "/classes"), "code")
        waiting: dict[str, list[dict[str, Any]]] = {}
        if may(p, "enrolment.read"):
            for c in classes:
                if c.get("waitlisted"):
                    waiting[c["id"]] = await get(request, p, "scheduling", f"/classes/{c['id']}/waitlist")
        w = translator(lang)
        chart = bars(w["classes"], [str(c["code"]) for c in classes], [
            Series(w["enrolled"], [float(c["enrolled"]) for c in classes]),
            Series(w["target"], [float(c["target"]) for c in classes]),
            Series(w["capacity"], [float(c["capacity"]) for c in classes])])
        return {"classes": classes, "waiting": waiting, "chart": chart,
                "programmes": await programme_names(request, p), "units": await unit_names(request, p)}
    return await show(request, "catalogue.read", "pages/classes.html", load)


@router.get("/ui/classes/{class_id}")
async def class_page(class_id: str, request: Request) -> Response:
    """One class: its facts, the timetable, who holds a seat and who waits (the roster as the reader may see it)."""
    async def load(p: Principal) -> dict[str, Any]:
        cls = await get(request, p, "scheduling", f"/classes/{class_id}")
        timetable = await get(request, p, "scheduling", f"/classes/{class_id}/timetable")
        roster: list[dict[str, Any]] = []
        waiting: list[dict[str, Any]] = []
        if may(p, "enrolment.read"):
            roster = await get(request, p, "scheduling", f"/classes/{class_id}/roster")
            waiting = await get(request, p, "scheduling", f"/classes/{class_id}/waitlist")
        return {"cls": cls, "timetable": timetable, "roster": roster, "waiting": waiting,
                "programmes": await programme_names(request, p), "units": await unit_names(request, p)}
    return await show(request, "catalogue.read", "pages/class.html", load)


@router.get("/ui/plans")
async def plans_page(request: Request, year: int | None = Year) -> Response:
    lang = lang_of(request)

    async def load(p: Principal) -> dict[str, Any]:
        units = await unit_names(request, p)
        programmes = await programme_names(request, p)
        w = translator(lang)
        shown = []
        for plan in await get(request, p, "scheduling", "/plans", year=_year(year)):
            progress = await get(request, p, "scheduling", f"/plans/{plan['id']}/progress")
            items = []
            for item in progress["items"]:
                per_unit = sorted(item["units"].items(), key=lambda kv: units.get(kv[0], kv[0]))
                labels = [units.get(code, code) for code, _ in per_unit]
                chart = bars(f"{w['plan_chart']}: {programmes.get(item['programme_code'], '—')}", labels, [
                    Series(w["planned"], [float(u["planned"]) for _, u in per_unit]),
                    Series(w["actual"], [float(u["actual"]) for _, u in per_unit])])
                items.append({**item, "per_unit": per_unit, "chart": chart})
            shown.append({**plan, "progress": items})
        return {"year": _year(year), "plans": shown, "units": units, "programmes": programmes}
    return await show(request, "catalogue.read", "pages/plans.html", load)


@router.get("/ui/campaigns")
async def campaigns_page(request: Request) -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        shown = []
        for c in await get(request, p, "selection", "/campaigns"):
            people = await get(request, p, "selection", f"/campaigns/{c['id']}/candidates")
            decision = await get(request, p, "selection", f"/campaigns/{c['id']}/decision")
            shown.append({**c, "stages": sorted(Counter(str(x["stage"]) for x in people).items()),
                          "people": len(people), "decision": decision})
        return {"campaigns": shown}
    return await show(request, "campaign.read", "pages/campaigns.html", load)


FIGURES = {"classes": ("Số lớp", "Classes"), "students": ("Số học viên", "Students"),
           "persons_sent": ("Số người được cử đi học", "People sent"), "registered": ("Số đăng ký", "Registered"),
           "master": ("Thạc sĩ", "Master"), "doctorate": ("Tiến sĩ", "Doctorate"), "persons": ("Số người", "People"),
           "group_1": ("Đối tượng 1", "Group 1"), "group_2": ("Đối tượng 2", "Group 2"),
           "participants": ("Số người tham gia", "Participants"),
           "participations": ("Số lượt tham gia", "Participations")}


def _actual_rows(report: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Each of the year's figures as (item in words, figures in words); the codes never show."""
    i = 0 if lang == "vi" else 1
    rows = []
    for entry in report.get("actual", {}).values():
        label = entry.get("label_vi" if lang == "vi" else "label_en") or "—"
        figures = [f"{FIGURES[k][i]}: {v}" for k, v in entry.items() if k in FIGURES and isinstance(v, int | float)]
        rows.append((str(label), "; ".join(figures) or "—"))
    return rows


@router.get("/ui/report")
async def report_page(request: Request, year: int | None = Year) -> Response:
    lang = lang_of(request)

    async def load(p: Principal) -> dict[str, Any]:
        report = await get(request, p, "scheduling", "/reports/annual", year=_year(year))
        w = translator(lang)
        pva = report.get("plan_vs_actual", [])
        chart = bars(w["report_plan"], [str(r.get("programme_name") or "—") for r in pva], [
            Series(w["planned"], [float(r["planned"]) for r in pva]),
            Series(w["actual"], [float(r["actual"]) for r in pva])])
        units = report.get("compliance", {}).get("units", [])
        comp = bars(fill("compliance_chart", lang, year=_year(year)), [str(u["unit_name"]) for u in units],
                    [Series(w["share"], [float(u["percentage"]) for u in units], " %")], maximum=100)
        return {"year": _year(year), "report": report, "pva": pva, "chart": chart, "comp_chart": comp,
                "comp_units": units, "actual_rows": _actual_rows(report, lang)}
    return await show(request, "report.read", "pages/report.html", load)


@router.get("/ui/report.xlsx")
async def report_file(request: Request, year: int | None = Year) -> Response:
    """The annual report as an Excel file, from scheduling's API."""
    principal = admitted(request, "report.read")
    if isinstance(principal, Response):
        return principal
    try:
        resp = await call(request, principal, "scheduling", "GET", "/reports/annual", raw=True,
                          params={"year": _year(year), "format": "xlsx", "lang": lang_of(request)})
    except Problem as problem:
        return render(request, "pages/problem.html", principal, status=problem.status, problem=problem)
    name = resp.headers.get("content-disposition", f'attachment; filename="bao-cao-{_year(year)}.xlsx"')
    return Response(resp.content, media_type=resp.headers.get("content-type"), headers={"Content-Disposition": name})


