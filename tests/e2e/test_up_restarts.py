"""`cadre up` supervises: kill -9 any one of its children (each service, the workflows worker, the Temporal dev
server) and the supervisor restarts it, the rest of the stack stays up, /readyz of the others names the process
while it restarts, and within seconds the API serves again and work flows end to end (a unit created in
registration reaches scheduling through the relay, the event log, the UnitSync workflow and scheduling's
activity). A child that keeps dying is restarted a limited number of times, then reported, not restarted forever;
the stack still stops only when asked."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import issue_token
from shared.config import Settings
from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.integration
SERVICES = ("portal", "registration", "scheduling", "selection", "workflows")
BACK_WITHIN = 60.0  # seconds from the kill to a working API and a unit round trip


class Up:
    """A `cadre up` on free ports in a temporary data directory."""

    def __init__(self, tmp: Path) -> None:
        self.ports = {n: free_port() for n in SERVICES}
        self.data = tmp / "var"
        self.env = {**os.environ, "CADRE_DATA_DIR": str(self.data), "CADRE_PORTS": json.dumps(self.ports),
                    "CADRE_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}", "CADRE_PROFILE": "embedded",
                    "CADRE_SUPERVISOR_BACKOFF_SECONDS": "2", "CADRE_SUPERVISOR_MAX_RESTARTS": "3"}
        for var in ("CADRE_DATABASE_URL", "CADRE_EVENT_TRANSPORT", "CADRE_EVENT_NAMESPACE", "CADRE_SERVICE_URLS",
                    "CADRE_SUPERVISOR_STATE"):
            self.env.pop(var, None)
        self.log = tmp / "up.log"
        self.out = self.log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=ROOT, env=self.env,
                                     stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)
        token = issue_token(Settings(), user_id="btc.nguyenvanhai", roles=["organization_board"], units=["*"])
        self.auth = {"authorization": f"Bearer {token}"}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def state(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.data / "supervisor.json").read_text())["processes"])
        except (OSError, ValueError, KeyError):
            return {}

    def readyz(self, name: str) -> dict[str, Any] | None:
        try:
            r = httpx.get(f"{self.url(name)}/readyz", timeout=2)
            return {"code": r.status_code, **r.json()}
        except (httpx.HTTPError, ValueError):
            return None

    def all_ready(self) -> bool:
        return all((r := self.readyz(n)) is not None and r["code"] == 200 for n in SERVICES)

    def wait(self, what: str, cond: Any, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.proc.poll() is None, f"cadre up exited while waiting for {what}:\n{self.text()[-3000:]}"
            if cond():
                return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"{what}: not within {timeout:.0f} s\nstate: {self.state()}\n{self.text()[-3000:]}")

    def unit_round_trip(self) -> bool:
        """A unit created in registration is known to scheduling (relay, event log, UnitSync, activity)."""
        code = "U" + uuid.uuid4().hex[:8].upper()
        try:
            made = httpx.post(f"{self.url('registration')}/units", headers=self.auth, timeout=10,
                              json={"code": code, "name": f"Đơn vị {code}", "kind": "district"})
        except httpx.HTTPError:
            return False
        if made.status_code != 201:
            return False
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                units = httpx.get(f"{self.url('scheduling')}/units", headers=self.auth, timeout=5).json()
                if any(u["code"] == code for u in units):
                    return True
            time.sleep(0.3)
        return False

    def stop(self) -> int:
        os.kill(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout=60)

    def kill_everything(self) -> None:
        for st in self.state().values():
            if st.get("pid"):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(st["pid"]), signal.SIGKILL)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.out.close()


def test_cadre_up_restarts_what_dies_and_gives_up_on_what_keeps_dying(tmp_path: Path) -> None:
    up = Up(tmp_path)
    try:
        up.wait("the stack ready", up.all_ready, 120)
        assert up.unit_round_trip(), "the stack works before any fault"
        for name in ("registration", "scheduling", "selection", "portal", "workflows", "temporal"):
            old = up.state()[name]["pid"]
            os.kill(old, signal.SIGKILL)
            witness = "portal" if name != "portal" else "registration"
            seen: list[str] = []

            def restarting(name: str = name, witness: str = witness, seen: list[str] = seen, old: int = old) -> bool:
                st = up.state().get(name, {})
                if st.get("state") == "restarting":
                    seen.append("state file: restarting")
                    if name != "temporal":  # (with Temporal down, a readiness probe takes its time)
                        r = up.readyz(witness) or {}
                        if name in r.get("stack", {}):
                            seen.append(f"readyz: {r['stack'][name]}")
                return st.get("state") == "running" and st.get("pid") not in (None, old)

            up.wait(f"{name} restarted", restarting, BACK_WITHIN)
            took = up.wait(f"the API and a unit round trip after {name} was killed",
                           lambda: up.all_ready() and up.unit_round_trip(), BACK_WITHIN)
            assert up.state()[name]["restarts"] == 1 and "SIGKILL" in up.state()[name]["last_exit"]
            assert "state file: restarting" in seen, f"the supervisor never said {name} was restarting"
            if name != "temporal":
                assert any(x.startswith("readyz: restarting") for x in seen), f"/readyz of {witness}: {seen}"
            assert f"supervisor: {name} killed by SIGKILL; restarting it" in up.text()
            print(f"{name}: back and working {took:.1f} s after its restart")

        # the portal now keeps dying: its port is taken, so every restart fails at once
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            os.kill(up.state()["portal"]["pid"], signal.SIGKILL)
            time.sleep(0.3)  # the kernel frees the port once the process is gone
            squatter.bind(("127.0.0.1", up.ports["portal"]))
            squatter.listen()
            up.wait("the portal given up on", lambda: up.state()["portal"]["state"] == "failed", 120)
            portal = up.state()["portal"]
            assert portal["consecutive_failures"] == 3 + 1 and portal["last_exit"] == "exited with status 1", portal
            time.sleep(5)
            assert up.state()["portal"]["restarts"] == portal["restarts"], "no restart after the limit"
            assert "not restarting it again" in up.text()
            status = subprocess.run([sys.executable, "-m", "cli.main", "status", "--json"], cwd=ROOT, env=up.env,
                                    capture_output=True, text=True, timeout=60)
            by_name = {s["name"]: s for s in json.loads(status.stdout)}
            assert status.returncode == 1 and by_name["portal"]["supervisor"] == "failed", status.stdout
            assert by_name["registration"]["ready"] and by_name["temporal"]["supervisor"] == "running"
            assert "failed" in (up.readyz("registration") or {}).get("stack", {}).get("portal", "")
            assert up.proc.poll() is None and all(up.readyz(n) for n in SERVICES if n != "portal")
        assert up.stop() == 0, up.text()[-3000:]
        assert "Đã dừng / stopped." in up.text()
    finally:
        up.kill_everything()
