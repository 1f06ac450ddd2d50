"""`cadre up` started as a shell's background job (SIGINT ignored, as a non-interactive shell hands it over) still
stops on `kill -INT`, cleanly, and leaves no process of the stack behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.integration


def _descendants(root: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines()[1:]:
        pid, ppid = (int(x) for x in line.split())
        children.setdefault(ppid, []).append(pid)
    found, frontier = set(), [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _sigint_ignored(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


def test_cadre_up_in_a_background_job_stops_on_sigint(tmp_path: Path) -> None:
    ports = {n: free_port() for n in ("portal", "registration", "scheduling", "selection", "workflows")}
    env = {**os.environ, "CADRE_DATA_DIR": str(tmp_path / "var"), "CADRE_PORTS": json.dumps(ports),
           "CADRE_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}", "CADRE_PROFILE": "embedded"}
    for var in ("CADRE_DATABASE_URL", "CADRE_EVENT_TRANSPORT", "CADRE_EVENT_NAMESPACE"):
        env.pop(var, None)
    log = tmp_path / "up.log"
    # a non-interactive shell starts a background job with SIGINT (and SIGQUIT) ignored (no `exec`: it restores them)
    shell = subprocess.Popen(["bash", "-c", f"{sys.executable} -m cli.main up > '{log}' 2>&1 & wait $!"],
                             cwd=ROOT, env=env, start_new_session=True)
    stack: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        ready: set[str] = set()
        while len(ready) < len(ports):
            assert shell.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"not ready within 90 s: {set(ports) - ready}\n{log.read_text()}"
            for name, port in ports.items():
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        ready.add(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        ups = [p for p in _descendants(shell.pid) if b"cli.main\0up" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(ups) == 1, ups
        up_pid = ups[0]
        stack = _descendants(up_pid)
        assert len(stack) >= 6, f"expected the Temporal dev server and five services under cadre up: {stack}"
        ignoring = [p for p in (up_pid, *stack) if _sigint_ignored(p)]
        assert not ignoring, f"processes that ignore SIGINT: {ignoring}"

        os.kill(up_pid, signal.SIGINT)
        status = shell.wait(timeout=45)  # `wait $!` hands over the job's exit status
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in stack) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [p for p in stack if _alive(p)]
    finally:  # whatever failed, leave nothing behind: every child of cadre up runs in a session of its own
        for pid in (*(stack or _descendants(shell.pid)), shell.pid):
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        if shell.poll() is None:
            shell.wait(timeout=10)
    assert status == 0, log.read_text()
    assert not left, f"processes outlived cadre up: {left}"
    text = log.read_text()
    assert "Đã dừng / stopped." in text, text
    assert "Traceback" not in text, text
