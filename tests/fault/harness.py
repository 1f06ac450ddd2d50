"""The pieces the stack fault tests share: the workload played in the background, the outcome a fault-free run
gives, the checks after each fault, the recovery clock, and the table printed at the end of the run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

from cli.scenario.outcome import audit_verify
from shared.auth import issue_token
from shared.config import Settings
from tests.fault.checks import duplicates, stuck_tasks

__all__ = ["duplicates", "stuck_tasks"]
from tests.support.stack import ROOT

WORKLOAD = Path(__file__).with_name("workload.yaml")
CAMPAIGNS = ("21-KH/TU", "22-KH/TU", "23-KH/TU")
# What tests/fault/workload.yaml gives when nothing fails (read from a fault-free run on the distributed profile):
# two selected in each campaign; the eight registrations are all flagged at submission (none is in the unit's
# plan allocation) and all eight are refused by the Board in its inbox.
FAULT_FREE_SELECTED: dict[str, dict[str, int]] = {c: {"G1": 2} for c in CAMPAIGNS}
FAULT_FREE_REGISTRATIONS: dict[str, Any] = {"submitted": 8, "accepted": 0, "refused": 0, "flagged": 8,
                                            "flagged_now": {"refused": 8}}


@dataclass
class Row:
    """One line of the fault table."""

    profile: str
    fault: str
    completed: int | None = None
    started: int = len(CAMPAIGNS)
    duplicates: str = "?"
    recover_s: float | None = None
    ok: bool = False
    during_work: bool | None = None  # whether the workload was still being played when the fault struck


ROWS: list[Row] = []


def table() -> list[str]:
    head = (f"{'profile':<12} {'fault':<44} {'campaigns':>9}  {'duplicates':<12} {'recover':>8}  "
            f"{'during work':<11}  result")
    lines = [head, "-" * len(head)]
    for r in ROWS:
        done = f"{r.completed}/{r.started}" if r.completed is not None else f"?/{r.started}"
        rec = f"{r.recover_s:.1f} s" if r.recover_s is not None else "—"
        during = {True: "yes", False: "after it", None: "?"}[r.during_work]
        lines.append(f"{r.profile:<12} {r.fault:<44} {done:>9}  {r.duplicates:<12} {rec:>8}  {during:<11}  "
                     f"{'ok' if r.ok else 'FAILED'}")
    return lines


class Workload:
    """tests/fault/workload.yaml played by tests/fault/driver.py in a subprocess against a stack."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.out_path = log_dir / "workload.json"
        self.err_path = log_dir / "workload.log"
        self.started = time.monotonic()
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.fault.driver", str(WORKLOAD)], env=env,
                                         cwd=ROOT, stdout=out, stderr=err, start_new_session=True)

    def running(self) -> bool:
        return self.proc.poll() is None

    def log(self, lines: int = 25) -> str:
        return "\n".join(self.err_path.read_text(errors="replace").splitlines()[-lines:])

    def steps_done(self) -> int:
        return self.err_path.read_text(errors="replace").count("✓ ")

    def wait_for_steps(self, n: int, timeout: float) -> None:
        """Until the player has finished n steps (so a fault lands in the middle of the work)."""
        deadline = time.monotonic() + timeout
        while self.steps_done() < n:
            assert self.running(), f"the workload stopped early:\n{self.log()}"
            assert time.monotonic() < deadline, f"the workload did not reach step {n} in {timeout:.0f} s:\n{self.log()}"
            time.sleep(0.5)

    def finish(self, timeout: float) -> dict[str, Any]:
        try:
            rc = self.proc.wait(timeout=max(1.0, timeout - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"the workload did not finish in {timeout:.0f} s:\n{self.log()}") from None
        assert rc == 0, f"the workload failed (exit {rc}):\n{self.log(40)}"
        out: dict[str, Any] = json.loads(self.out_path.read_text(encoding="utf-8"))
        # the chains are verified here, once the faults are over, not by the player at its end: a fast workload
        # ended during the PostgreSQL restart, and its verification failed to connect, not on a broken chain
        out["audit"] = audit_verify(env=self.env)
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def completed(out: dict[str, Any]) -> int:
    """Campaigns whose decision selects what a fault-free run selects."""
    return sum(1 for c in CAMPAIGNS if out["selected"].get(c) == FAULT_FREE_SELECTED[c])


def registrations_summary(out: dict[str, Any]) -> dict[str, Any]:
    reg = out["registrations"]
    return {k: reg[k] for k in ("submitted", "accepted", "refused", "flagged", "flagged_now")}


def check_outcome(out: dict[str, Any]) -> list[str]:
    """How an outcome differs from the fault-free one (empty: the same)."""
    problems = []
    if completed(out) != len(CAMPAIGNS):
        problems.append(f"selected {out['selected']}, fault-free {FAULT_FREE_SELECTED}")
    if registrations_summary(out) != FAULT_FREE_REGISTRATIONS:
        problems.append(f"registrations {registrations_summary(out)}, fault-free {FAULT_FREE_REGISTRATIONS}")
    if not out.get("audit", {}).get("ok"):
        problems.append(f"cadre audit verify: {out.get('audit')}")
    return problems


def children(state_file: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(state_file.read_text(encoding="utf-8"))["processes"])
    except (OSError, ValueError, KeyError):
        return {}


def settings_for(env: dict[str, str]) -> Settings:
    """The Settings a stack's processes read from their environment."""
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings()


def round_trip(settings: Settings, timeout: float = 20) -> bool:
    """Work flows end to end: a unit created in registration reaches scheduling (relay, broker, the UnitSync
    workflow on Temporal, scheduling's activity and database)."""
    token = issue_token(settings, user_id="btc.nguyenvanhai", roles=["organization_board"], units=["*"])
    auth = {"authorization": f"Bearer {token}"}
    code = "RT" + uuid.uuid4().hex[:8].upper()
    with httpx.Client(timeout=10, headers=auth) as http:
        try:
            made = http.post(f"{settings.url_of('registration')}/units",
                             json={"code": code, "name": f"Đơn vị kiểm tra {code}", "kind": "district"})
        except httpx.HTTPError:
            return False
        if made.status_code != 201:
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                if any(u["code"] == code for u in http.get(f"{settings.url_of('scheduling')}/units").json()):
                    return True
            time.sleep(0.3)
    return False


def recovered(state_file: Path, env: dict[str, str], *, killed: dict[str, int] | None = None) -> Callable[[], bool]:
    """Every supervised process running (the killed ones with a new pid), every one with a URL ready, and a unit
    round trip through registration, the broker, Temporal and scheduling."""
    settings = settings_for(env)

    def check() -> bool:
        return ready(state_file, killed) and apis_ready(settings) and round_trip(settings)
    return check


def apis_ready(settings: Settings) -> bool:
    """Every service's API (and the workflows process's) answers /readyz with 200."""
    with httpx.Client(timeout=3) as http:
        for name in ("registration", "scheduling", "selection", "portal", "workflows"):
            try:
                if http.get(f"{settings.url_of(name)}/readyz").status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
    return True


def ready(state_file: Path, killed: dict[str, int] | None = None) -> bool:
    """Every supervised process running (the killed ones with a new pid) and every one with a URL ready."""
    procs = children(state_file)
    if not procs or any(p["state"] != "running" for p in procs.values()):
        return False
    for name, old in (killed or {}).items():  # (a supervisor started again lists its children as it starts them)
        if name not in procs or procs[name]["pid"] in (None, old):
            return False
    with httpx.Client(timeout=3) as http:
        for p in procs.values():
            url = p.get("url")
            if not url or not str(url).startswith("http"):
                continue
            try:
                if http.get(f"{url}/readyz").status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
    return True


def after(rows: list[Row], profile: str, fault: str, started: float, check: Callable[[], bool],
          db_urls: dict[str, str], timeout: float, work: Workload) -> Row:
    """Record a fault: its row first (so a failure still shows it), then its recovery time and duplicates."""
    row = Row(profile, fault, during_work=work.running())
    rows.append(row)
    row.recover_s = wait_recovered(check, fault, timeout, started)
    row.duplicates = duplicates(db_urls).summary()
    return row


def conclude(rows: list[Row], out: dict[str, Any], db_urls: dict[str, str]) -> None:
    """The end of a workload: every row gets the campaigns completed; then the outcome, duplicates and open tasks
    are asserted (the rows say ok only if all hold)."""
    problems = check_outcome(out)
    final = duplicates(db_urls)
    stuck = stuck_tasks(db_urls)
    for r in rows:
        r.completed = completed(out)
        r.ok = not problems and r.duplicates == "0" and final.total == 0 and not stuck
    assert not problems, problems
    assert final.total == 0, final.examples
    assert not stuck, f"tasks left open or completing: {stuck[:10]}"
    assert all(r.duplicates == "0" for r in rows), [(r.fault, r.duplicates) for r in rows]


def wait_recovered(check: Callable[[], bool], what: str, timeout: float, started: float) -> float:
    """Seconds from `started` (the fault) until check() holds; fails clearly after timeout."""
    while not check():
        assert time.monotonic() - started < timeout, f"{what}: not recovered within {timeout:.0f} s"
        time.sleep(0.3)
    return time.monotonic() - started
