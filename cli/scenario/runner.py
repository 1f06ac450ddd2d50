"""Plays a scenario against a running stack, step by step, as its named users, through the public HTTP APIs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.scenario.actions import campaign, classes, setup, tasks
from cli.scenario.client import Api, StepFailed, tokens_for
from cli.scenario.outcome import read_outcome
from cli.scenario.people import NameSource
from cli.scenario.state import RunState
from cli.scenario.words import ACTIONS as ACTION_WORDS
from cli.scenario.words import word
from shared.auth import demo_users
from shared.config import SERVICES, Settings

Action = Callable[[RunState, dict[str, Any]], Awaitable[None]]
ACTIONS: dict[str, Action] = {
    "create_units": setup.create_units,
    "import_officials": setup.import_officials,
    "define_programmes": setup.define_programmes,
    "adopt_plan": setup.adopt_plan,
    "schedule_classes": classes.schedule_classes,
    "enrol": classes.enrol,
    "close_enrolment": classes.close_enrolment,
    "record_results": classes.record_results,
    "wait_for_class": classes.wait_for_class,
    "register": tasks.register,
    "complete_tasks": tasks.complete_tasks,
    "create_campaign": campaign.create_campaign,
    "propose_nominees": campaign.propose_nominees,
    "cast_ballots": campaign.cast_ballots,
    "wait_for_campaign": campaign.wait_for_campaign,
    "mark_papers": campaign.mark_papers,
    "committee_decide": campaign.committee_decide,
}


class ScenarioFailed(RuntimeError):
    """A step could not be played; names the step and what the stack answered."""


def roles_of(users: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Each named user's roles (demo users' from the demo list)."""
    demo = demo_users()
    return {k: list(demo[u["demo"]]["roles"]) if "demo" in u else list(u["roles"]) for k, u in users.items()}


def reader_of(users: dict[str, dict[str, Any]]) -> str:
    """The user who reads the outcome back: the first with a role that may read reports."""
    for key, roles in roles_of(users).items():
        if "organization_board" in roles:
            return key
    raise ScenarioFailed("the scenario names no organization_board user to read the outcome back")


def check_stack(settings: Settings, timeout: float = 3.0) -> list[str]:
    """The services that do not answer /readyz."""
    down = []
    with httpx.Client(timeout=timeout) as http:
        for name in (*SERVICES, "workflows"):
            try:
                if http.get(f"{settings.url_of(name)}/readyz").status_code != 200:
                    down.append(name)
            except httpx.HTTPError:
                down.append(name)
    return down


async def replay_outcome(doc: dict[str, Any], settings: Settings, *, console: Console,
                         verify_audit: bool = True) -> dict[str, Any]:
    """Only read the outcome back (the scenario was played on this stack before)."""
    api = Api(settings, tokens_for(settings, doc["users"]))
    try:
        with Progress(console=console, transient=True) as progress:
            st = RunState(api=api, doc=doc, today=datetime.now(UTC).date(), console=console, progress=progress,
                          names=NameSource(doc.get("names")))
            out = await read_outcome(st, reader=reader_of(doc["users"]), verify=verify_audit)
        out["seconds"] = 0.0
        return out
    finally:
        await api.close()


async def play(doc: dict[str, Any], settings: Settings, *, console: Console, verify_audit: bool = True,
               transport: httpx.AsyncBaseTransport | None = None) -> dict[str, Any]:
    """Play every step in order, then read the outcome back; ScenarioFailed names the step that failed."""
    api = Api(settings, tokens_for(settings, doc["users"]), transport=transport)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.monotonic()
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            st = RunState(api=api, doc=doc, today=datetime.now(UTC).date(), console=console, progress=progress,
                          names=NameSource(doc.get("names")))
            overall = progress.add_task(f"Kịch bản / scenario {doc['name']}", total=len(doc["steps"]))
            for i, step in enumerate(doc["steps"]):
                label = f"Bước {i + 1}/{len(doc['steps'])}: {word(ACTION_WORDS, step['action'])} ({step['by']})"
                progress.update(overall, description=f"{label}")
                t0 = time.monotonic()
                try:
                    await ACTIONS[step["action"]](st, step)
                except StepFailed as exc:
                    raise ScenarioFailed(f"steps[{i}] {step['action']} — {label}: {exc}") from exc
                console.log(f"✓ {label} — {time.monotonic() - t0:.1f} s")
                progress.advance(overall)
        out = await read_outcome(st, reader=reader_of(doc["users"]), verify=verify_audit)
        out["seconds"] = round(time.monotonic() - started, 1)
        return out
    finally:
        await api.close()
