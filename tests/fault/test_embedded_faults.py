"""Faults on the embedded profile (`cadre up`: SQLite, the embedded event log, the Temporal dev server, one process
per service and the workflows worker) while three selection campaigns and a load of registrations run
(tests/fault/workload.yaml, through the public APIs):

kill -9 each process in turn — registration, scheduling, selection and the Temporal dev server while the
campaigns are under way, the portal and the workflows worker while an approval is being completed (a task is
`completing`) — then kill the whole stack at once and start it again on the same data.

After each fault: the stack is back (every process running, every /readyz 200; the time is the recovery time) and
no record is duplicated. At the end: every campaign and registration has the fault-free outcome, no task is left
open or half-completed, `cadre audit verify` passes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fault import harness
from tests.fault.checks import SERVICES
from tests.fault.harness import Row, Workload
from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.integration
PROFILE = "embedded"
RECOVER_WITHIN = 120.0
WORKLOAD_WITHIN = 600.0
CATCH_COMPLETION_WITHIN = 30.0


class EmbeddedUp:
    """`cadre up` of the embedded profile on free ports in a temporary data directory; can be killed whole and
    started again on the same data."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.data = tmp / "var"
        ports = {n: free_port() for n in (*SERVICES, "workflows")}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_") or k.startswith("CADRE_TEST_")}
        self.env.update({"CADRE_PROFILE": "embedded", "CADRE_DATA_DIR": str(self.data),
                         "CADRE_PORTS": json.dumps(ports), "CADRE_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
                         "CADRE_LOG_LEVEL": "WARNING", "CADRE_SUPERVISOR_BACKOFF_SECONDS": "1",
                         "CADRE_SUPERVISOR_MAX_RESTARTS": "8"})
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def state_file(self) -> Path:
        return self.data / "supervisor.json"

    def db_urls(self) -> dict[str, str]:
        return {s: f"sqlite:///{(self.data / f'{s}.db').resolve()}" for s in SERVICES}

    def start(self) -> None:
        self.starts += 1
        with (self.tmp / f"up-{self.starts}.log").open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=ROOT, env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_everything(self) -> None:
        """SIGKILL to the supervisor and to every child's process group at once (a power cut, for the processes)."""
        groups = [int(p["pid"]) for p in harness.children(self.state_file).values() if p.get("pid")]
        if self.proc is not None:
            groups.insert(0, self.proc.pid)
        for pid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        self.kill_everything()


@pytest.fixture
def up(tmp_path: Path) -> Iterator[EmbeddedUp]:
    u = EmbeddedUp(tmp_path)
    try:
        u.start()
        harness.wait_recovered(harness.recovered(u.state_file, u.env), "the embedded stack's start", 180,
                               time.monotonic())
        yield u
    finally:
        u.stop()


def completing(db: Path) -> bool:
    """Whether the portal has a task being completed right now (its Update sent, not yet closed)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as conn:
            return bool(conn.execute("SELECT 1 FROM tasks WHERE status = 'completing' LIMIT 1").fetchone())
    except sqlite3.Error:
        return False


def kill_child(up: EmbeddedUp, name: str) -> tuple[float, dict[str, int]]:
    old = int(harness.children(up.state_file)[name]["pid"])
    t0 = time.monotonic()
    os.kill(old, signal.SIGKILL)
    return t0, {name: old}


def test_every_fault_ends_with_the_fault_free_outcome(up: EmbeddedUp, tmp_path: Path) -> None:
    rows: list[Row] = []
    urls = up.db_urls()
    work = Workload(up.env, tmp_path)
    try:
        work.wait_for_steps(8, timeout=180)  # the campaigns are being created
        for name in ("registration", "scheduling", "selection", "temporal"):
            t0, killed = kill_child(up, name)
            harness.after(rows, PROFILE, f"kill -9 {name}", t0, harness.recovered(up.state_file, up.env, killed=killed),
                          urls, RECOVER_WITHIN, work)

        work.wait_for_steps(19, timeout=400)  # the registration reviews and the marking: approvals from here on
        for name in ("portal", "workflows"):
            deadline = time.monotonic() + CATCH_COMPLETION_WITHIN
            while not completing(up.data / "portal.db") and time.monotonic() < deadline:
                time.sleep(0.02)
            caught = "mid-approval" if completing(up.data / "portal.db") else "approvals under way"
            t0, killed = kill_child(up, name)
            harness.after(rows, PROFILE, f"kill -9 {name} ({caught})", t0,
                          harness.recovered(up.state_file, up.env, killed=killed), urls, RECOVER_WITHIN, work)

        work.wait_for_steps(21, timeout=400)  # the committee votes are under way
        before: dict[str, Any] = {n: p["pid"] for n, p in harness.children(up.state_file).items()}
        t0 = time.monotonic()
        up.kill_everything()
        up.start()
        harness.after(rows, PROFILE, "kill the whole stack, start it again", t0,
                      harness.recovered(up.state_file, up.env, killed=before), urls, RECOVER_WITHIN, work)

        harness.conclude(rows, work.finish(WORKLOAD_WITHIN), urls)
    finally:
        work.stop()
        harness.ROWS.extend(rows)
