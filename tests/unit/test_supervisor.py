"""The supervisor's policy on plain child processes: a killed child is restarted after its backoff; one that keeps
dying is restarted up to the limit, then given up on and reported; its state file says so; stop_all stops all."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from cli.supervisor import Supervisor
from shared.config import Settings
from shared.supervision import not_running

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def _settings(tmp: Path) -> Settings:
    return Settings(data_dir=tmp, supervisor_backoff_seconds=0.1, supervisor_backoff_max_seconds=0.4,
                    supervisor_max_restarts=3, supervisor_stable_seconds=30)


def _until(sup: Supervisor, cond: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, json.loads(sup.state_path.read_text())
        sup.watch()
        time.sleep(0.05)


def test_a_killed_child_is_restarted_and_one_that_keeps_dying_is_given_up_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sup = Supervisor(_settings(tmp_path))
    try:
        sup.spawn("sleeper", SLEEPER)
        sup.spawn("crasher", CRASHER)
        first = sup.procs["sleeper"].proc
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        _until(sup, lambda: sup.procs["sleeper"].restarts == 1 and sup.procs["sleeper"].state == "running")
        assert sup.procs["sleeper"].last_exit == "killed by SIGKILL"
        _until(sup, lambda: sup.procs["crasher"].state == "failed")
        crasher = sup.procs["crasher"]
        assert crasher.restarts == 3 and crasher.failures == 4 and crasher.last_exit == "exited with status 3"
        for _ in range(10):  # no restart after the limit
            sup.watch()
            time.sleep(0.05)
        assert crasher.restarts == 3 and sup.failed() == ["crasher"]
        state = json.loads(sup.state_path.read_text())["processes"]
        assert state["crasher"]["state"] == "failed" and state["sleeper"]["state"] == "running"
        monkeypatch.setenv("CADRE_SUPERVISOR_STATE", str(sup.state_path))  # as a child of the supervisor sees it
        assert list(not_running(tmp_path)) == ["crasher"]
        log = (tmp_path / "logs" / "supervisor.log").read_text()
        assert "sleeper killed by SIGKILL; restarting it in 0.1 s" in log and "not restarting it again" in log
    finally:
        live = list(sup.children.values())
        sup.stop_all(timeout=5)
    assert all(p.poll() is not None for p in live) and not sup.state_path.exists()
