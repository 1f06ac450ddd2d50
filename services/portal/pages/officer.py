"""The unit officer's pages: the unit's officials (search ignoring diacritics, Vietnamese order), an official's
record, registering a training need with every check's findings shown before sending, the unit's registrations."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.portal.pages.http import call, get
from services.portal.pages.nav import may
from services.portal.pages.readers import by_name, plain_refs, programme_name, programme_names, unit_names
from services.portal.pages.session import admitted, render, show
from services.portal.ui.i18n import lang_of
from shared.auth import Principal
from shared.errors import Problem

router = APIRouter(include_in_schema=False)


@router.get("/ui/officials")
async def officials_page(request: Request, q: str = "") -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        rows = await get(request, p, "registration", "/officials", q=q.strip()[:200], limit=500)
        return {"rows": by_name(rows), "q": q, "units": await unit_names(request, p)}
    return await show(request, "official.read", "pages/officials.html", load)


@router.get("/ui/officials/{official_id}")
async def official_page(official_id: str, request: Request) -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        record = await get(request, p, "registration", f"/officials/{official_id}")
        return {"o": record, "units": await unit_names(request, p), "programmes": await programme_names(request, p)}
    return await show(request, "official.read", "pages/official.html", load)


async def _form_facts(request: Request, p: Principal) -> dict[str, Any]:
    officials = by_name(await get(request, p, "registration", "/officials", limit=2000))
    programmes = await get(request, p, "scheduling", "/programmes")
    classes = await get(request, p, "scheduling", "/classes")
    names = {str(x["code"]): programme_name(x, lang_of(request)) for x in programmes}
    return {"officials": officials, "programmes": programmes, "classes": classes, "programme_names": names,
            "units": await unit_names(request, p), "this_year": date.today().year}


def _body(form: dict[str, str]) -> dict[str, Any]:
    year = form.get("plan_year", "")
    return {"official_id": form.get("official_id", ""), "programme_code": form.get("programme_code", ""),
            "plan_year": int(year) if year.isdigit() else year, "class_id": form.get("class_id") or None,
            "note": form.get("note", "")}


@router.get("/ui/needs/new")
async def need_form(request: Request, official: str = "") -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        return {**await _form_facts(request, p), "values": {"official_id": official}, "checked": None}
    return await show(request, "registration.submit", "pages/need.html", load)


async def _posted(request: Request) -> dict[str, str]:
    return {str(k): str(v) for k, v in (await request.form()).items()}


@router.post("/ui/needs/check")
async def need_check(request: Request) -> Response:
    """The check-only call: every check's findings in words; nothing is recorded."""
    principal = admitted(request, "registration.submit")
    if isinstance(principal, Response):
        return principal
    form = await _posted(request)
    problem, checked = None, None
    try:
        facts = await _form_facts(request, principal)
        checked = await call(request, principal, "registration", "POST", "/registrations/check", json=_body(form))
        if may(principal, "registration.read"):
            regs = await get(request, principal, "registration", "/registrations")
            codes = {str(c["id"]): str(c["code"]) for c in facts["classes"]}
            for f in checked["findings"]:
                f["message_vi"] = plain_refs(f["message_vi"], regs, codes, "vi")
                f["message_en"] = plain_refs(f["message_en"], regs, codes, "en")
    except Problem as refused:
        problem = refused
        facts = facts if "facts" in locals() else {}
    if not facts:
        return render(request, "pages/problem.html", principal, status=problem.status if problem else 503,
                      problem=problem)
    return render(request, "pages/need.html", principal, status=problem.status if problem else 200, **facts,
                  values=form, checked=checked, problem=problem)


@router.post("/ui/needs")
async def need_send(request: Request) -> Response:
    """Send the registration the person has seen checked; its outcome is shown on the unit's registrations."""
    principal = admitted(request, "registration.submit")
    if isinstance(principal, Response):
        return principal
    form = await _posted(request)
    try:
        sent = await call(request, principal, "registration", "POST", "/registrations", json=_body(form))
    except Problem as problem:
        try:
            facts = await _form_facts(request, principal)
        except Problem:
            return render(request, "pages/problem.html", principal, status=problem.status, problem=problem)
        return render(request, "pages/need.html", principal, status=problem.status, **facts, values=form,
                      checked=None, problem=problem)
    return RedirectResponse(f"/ui/registrations?sent={sent['id']}", status_code=303)


@router.get("/ui/registrations")
async def registrations_page(request: Request, sent: str = "") -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        rows = await get(request, p, "registration", "/registrations")
        classes = {c["id"]: c["code"] for c in await get(request, p, "scheduling", "/classes")}
        for r in rows:
            for f in r["findings"]:
                f["message_vi"] = plain_refs(f["message_vi"], rows, classes, "vi")
                f["message_en"] = plain_refs(f["message_en"], rows, classes, "en")
        done = next((r for r in rows if r["id"] == sent), None)
        return {"rows": rows, "sent": done, "units": await unit_names(request, p),
                "programmes": await programme_names(request, p), "classes": classes}
    return await show(request, "registration.read", "pages/registrations.html", load)
