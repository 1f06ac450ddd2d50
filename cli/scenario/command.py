"""`cadre scenario run FILE [--json]`: load, play against the running stack, print the outcome."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from cli.scenario.loader import ScenarioError, load
from cli.scenario.outcome import print_outcome
from cli.scenario.runner import ScenarioFailed, check_stack, play, reader_of, replay_outcome
from shared.auth import demo_users, issue_token
from shared.config import Settings


def already_played(settings: Settings, doc: dict[str, Any]) -> bool:
    """Whether the stack already holds the scenario's first plan (asked through scheduling's API)."""
    first = next((s["plan"] for s in doc["steps"] if s["action"] == "adopt_plan"), None)
    if first is None:
        return False
    user = doc["users"][reader_of(doc["users"])]
    u = demo_users()[user["demo"]] if "demo" in user else user
    token = issue_token(settings, user_id=u["user_id"], roles=list(u["roles"]), units=list(u.get("units", [])))
    resp = httpx.get(f"{settings.url_of('scheduling')}/plans", params={"year": first["year"]},
                     headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return resp.status_code == 200 and any(p["number"] == first["number"] for p in resp.json())


def run_scenario(settings: Settings, path: Path, *, as_json: bool, verify_audit: bool = True,
                 once: bool = False) -> int:
    """Exit code: 0 played (and every expected figure matched), 1 a step failed or figures differ, 2 bad file
    or stack not running."""
    err = Console(stderr=True, soft_wrap=True)
    try:
        doc = load(path)
    except ScenarioError as exc:
        err.print(str(exc), markup=False)
        return 2
    down = check_stack(settings)
    if down:
        err.print(f"Hệ thống chưa chạy / the stack is not running: {', '.join(down)} — start it with `cadre up`")
        return 2
    console = err if as_json else Console()
    try:
        if once and already_played(settings, doc):
            err.print("Kịch bản đã được chạy trên hệ thống này: chỉ đọc lại kết quả / already played on this stack: "
                      "reading the outcome back")
            out = asyncio.run(replay_outcome(doc, settings, console=console, verify_audit=verify_audit))
        else:
            out = asyncio.run(play(doc, settings, console=console, verify_audit=verify_audit))
    except ScenarioFailed as exc:
        err.print(f"Kịch bản dừng / scenario stopped at {exc}", markup=False)
        return 1
    if as_json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        print_outcome(out, console)
        console.print(f"Xong sau {out['seconds']} s, {out['api_calls']} lượt gọi API / done.")
    failed = bool(out.get("expected_mismatches")) or not out.get("audit", {"ok": True})["ok"]
    return 1 if failed else 0
