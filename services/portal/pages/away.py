"""Out of office (vắng mặt): a person names who takes their tasks from one day to another, sees their periods and
ends one early. The page goes through the portal's own API (/substitutes) as the person, like every role page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.portal.pages.http import call, get
from services.portal.pages.session import admitted, render, show
from shared.auth import Principal
from shared.errors import Problem
from shared.timestamps import as_utc
from shared.vietnamese import sort_key_name

router = APIRouter(include_in_schema=False)
ACTION = "task.substitute"
PROVINCE_TIME = timezone(timedelta(hours=7))  # a day off is a day in Bình Phước, whatever the server's zone
NOT_STAND_INS = frozenset({"service", "auditor", "operator"})


def stand_ins(request: Request, principal: Principal) -> list[Principal]:
    """Who may take the person's tasks: colleagues who share one of the person's deciding roles, in name order."""
    directory = getattr(request.app.state, "directory", None)
    people = directory.people.values() if directory is not None else []
    mine = principal.roles - NOT_STAND_INS
    return sorted((p for p in people if p.user_id != principal.user_id and p.roles & mine),
                  key=lambda p: sort_key_name(p.name or p.user_id))


def _day_start(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), time(0), PROVINCE_TIME)


def _local_day(iso: str, *, last: bool = False) -> str:
    """The day (province time) an instant falls on; ``last``: the day before a midnight end (the last day off)."""
    moment = as_utc(datetime.fromisoformat(iso)).astimezone(PROVINCE_TIME)  # a time without offset is UTC
    if last and moment.time() == time(0):
        moment -= timedelta(days=1)
    return moment.date().isoformat()


async def _facts(request: Request, p: Principal, **values: Any) -> dict[str, Any]:
    periods = await get(request, p, "portal", "/substitutes")
    people = {x.user_id: x for x in stand_ins(request, p)}
    for period in periods:
        found = people.get(period["delegate"])
        period["delegate_name"] = found.name if found is not None and found.name else period["delegate"]
        period["first_day"] = _local_day(period["starts_at"])
        period["last_day"] = _local_day(period["ends_at"], last=True)
    today = datetime.now(PROVINCE_TIME).date()
    return {"periods": periods, "people": list(people.values()), "today": today.isoformat(),
            "values": {"from": today.isoformat(), "to": (today + timedelta(days=6)).isoformat()} | values}


@router.get("/ui/away")
async def away_page(request: Request, moved: int | None = None, returned: int | None = None) -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        return {**await _facts(request, p), "moved": moved, "returned": returned, "problem": None}
    return await show(request, ACTION, "pages/away.html", load)


@router.post("/ui/away")
async def away_set(request: Request) -> Response:
    """Set a period: the first and last day off (whole days, province time), the stand-in and the reason."""
    principal = admitted(request, ACTION)
    if isinstance(principal, Response):
        return principal
    form = {str(k): str(v) for k, v in (await request.form()).items()}
    try:
        try:
            first, last = _day_start(form.get("from", "")), _day_start(form.get("to", ""))
        except ValueError:
            raise Problem(422, "bad_days", "Invalid days", "Ngày không hợp lệ", "Give the first and last day off",
                          "Hãy nhập ngày bắt đầu và ngày kết thúc vắng mặt") from None
        if last < first:
            raise Problem(422, "bad_days", "Invalid days", "Ngày không hợp lệ",
                          "The last day off comes before the first", "Ngày kết thúc trước ngày bắt đầu")
        made = await call(request, principal, "portal", "POST", "/substitutes", json={
            "delegate": form.get("delegate", ""), "from": first.isoformat(),
            "to": (last + timedelta(days=1)).isoformat(), "reason": form.get("reason", "")})
    except Problem as problem:
        try:
            facts = await _facts(request, principal, **form)
        except Problem:
            return render(request, "pages/problem.html", principal, status=problem.status, problem=problem)
        return render(request, "pages/away.html", principal, status=problem.status, **facts, moved=None,
                      returned=None, problem=problem)
    return RedirectResponse(f"/ui/away?moved={int(made['rerouted_tasks'])}", status_code=303)


@router.post("/ui/away/{substitute_id}/end")
async def away_end(substitute_id: str, request: Request) -> Response:
    """End a period now: the tasks it moved and the stand-in has not decided come back."""
    principal = admitted(request, ACTION)
    if isinstance(principal, Response):
        return principal
    try:
        ended = await call(request, principal, "portal", "POST", f"/substitutes/{substitute_id}/end")
    except Problem as problem:
        return render(request, "pages/problem.html", principal, status=problem.status, problem=problem)
    return RedirectResponse(f"/ui/away?returned={int(ended['returned_tasks'])}", status_code=303)
