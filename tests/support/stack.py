"""Runs Cadreflow processes as real subprocesses (`cadre serve …`) for integration, e2e and fault tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.client import Client

from shared.ports import loopback_port
from tests.support.seal import key_env

ROOT = Path(__file__).resolve().parents[2]


def create_namespace(temporal: str) -> str:
    """Register a fresh Temporal namespace on the test server and wait until it answers."""
    name = f"cadre-t-{uuid.uuid4().hex[:10]}"
    binary = str(Path(sys.executable).parent / "temporal")
    subprocess.run([binary, "operator", "namespace", "create", "--namespace", name, "--address", temporal,
                    "--retention", "24h"], check=True, capture_output=True, timeout=60)
    deadline = time.monotonic() + 30
    while subprocess.run([binary, "operator", "namespace", "describe", "--namespace", name, "--address", temporal],
                         capture_output=True, timeout=30).returncode != 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"namespace {name} never became visible")
        time.sleep(0.3)
    return name


free_port = loopback_port  # the name the tests use


@dataclass
class Stack:
    """A set of service processes sharing one configuration."""

    env: dict[str, str]
    log_dir: Path
    ports: dict[str, int]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @classmethod
    def distributed(cls, *, database_url: str, kafka: str, temporal: str, log_dir: Path,
                    extra_env: dict[str, str] | None = None, own_namespace: bool = False) -> Stack:
        """A stack on the given infrastructure. With own_namespace, its Temporal namespace and its event topics and
        consumer groups are its own, so other stacks (earlier tests, other developers) never reach its workers."""
        ports = {n: free_port() for n in ("portal", "registration", "scheduling", "selection", "workflows")}
        namespace = create_namespace(temporal) if own_namespace else "default"
        env = {**os.environ, "CADRE_PROFILE": "distributed", "CADRE_JWT_SECRET": "integration-test-secret-0123456789",
               "CADRE_DATABASE_URL": database_url, "CADRE_KAFKA_BOOTSTRAP": kafka,
               "CADRE_TEMPORAL_ADDRESS": temporal, "CADRE_TEMPORAL_NAMESPACE": namespace,
               "CADRE_EVENT_NAMESPACE": f"{namespace}." if own_namespace else "",
               "CADRE_PORTS": json.dumps(ports), "CADRE_DATA_DIR": str(log_dir), **key_env(), **(extra_env or {})}
        log_dir.mkdir(parents=True, exist_ok=True)
        return cls(env=env, log_dir=log_dir, ports=ports)

    @property
    def namespace(self) -> str:
        return self.env["CADRE_TEMPORAL_NAMESPACE"]

    def topic(self, service: str) -> str:
        """The Kafka topic a service of this stack publishes to."""
        return f"{self.env['CADRE_EVENT_NAMESPACE']}cadre.{service}.v1"

    async def temporal_client(self) -> Client:
        """A Temporal client on this stack's namespace."""
        return await Client.connect(self.env["CADRE_TEMPORAL_ADDRESS"], namespace=self.namespace)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def cadre(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a `cadre` command with this stack's configuration."""
        return subprocess.run([sys.executable, "-m", "cli.main", *args], env=self.env, cwd=ROOT, text=True,
                              capture_output=True, timeout=timeout)

    def start(self, name: str, roles: str = "api,worker,relay,consumers", *, key: str | None = None) -> None:
        key = key or name
        with (self.log_dir / f"{key}.log").open("ab") as out:  # the child keeps its own copy of the descriptor
            self.procs[key] = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", name, "--roles", roles],
                                               env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True)

    def wait_ready(self, *names: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = set(names)
        while pending and time.monotonic() < deadline:
            for n in list(pending):
                if self.procs.get(n) is not None and self.procs[n].poll() is not None:
                    raise AssertionError(f"{n} exited: {self.tail(n)}")
                try:
                    if httpx.get(f"{self.url(n)}/readyz", timeout=2).status_code == 200:
                        pending.discard(n)
                except httpx.HTTPError:
                    pass
            time.sleep(0.3)
        if pending:
            raise AssertionError(f"not ready: {sorted(pending)}; " + " | ".join(self.tail(n) for n in pending))

    def tail(self, key: str, lines: int = 15) -> str:
        path = self.log_dir / f"{key}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def warnings(self, key: str, lines: int = 12) -> str:
        """The last warnings and errors a process logged (for a failure's message)."""
        path = self.log_dir / f"{key}.log"
        if not path.exists():
            return ""
        said = [line for line in path.read_text(errors="replace").splitlines()
                if '"level": "warning"' in line or '"level": "error"' in line or "Traceback" in line]
        return "\n".join(said[-lines:])

    def kill(self, key: str, sig: int = signal.SIGKILL) -> None:
        p = self.procs.pop(key)
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        p.wait(timeout=30)

    def stop(self) -> None:
        for key in list(self.procs):
            p = self.procs[key]
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for key in list(self.procs):
            p = self.procs.pop(key)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
