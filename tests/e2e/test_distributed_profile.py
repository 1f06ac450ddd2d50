"""`cadre up` in the distributed profile on the real PostgreSQL, Kafka and Temporal of the test run: every role
process twice (the grouping of deploy/compose and deploy/k8s), the two replicas of an API sharing its port; a
replica killed with SIGKILL is restarted while the other keeps the API answering; `cadre status` lists every role
process; SIGTERM stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.distributed import ROLE_GROUPS
from tests.support import infra
from tests.support.stack import ROOT, Stack, free_port

pytestmark = pytest.mark.integration
REPLICAS = 2


class Up:
    """A `cadre up` of the distributed profile, and what its supervisor says."""

    def __init__(self, tmp: Path) -> None:
        stack = Stack.distributed(database_url=infra.new_database_template(), kafka=infra.kafka_bootstrap(),
                                  temporal=infra.temporal_address(), log_dir=tmp / "logs", own_namespace=True)
        self.ports = stack.ports
        self.data = tmp / "data"
        self.env = {**stack.env, "CADRE_DATA_DIR": str(self.data), "CADRE_REPLICAS": str(REPLICAS),
                    "CADRE_OPS_PORT_BASE": str(free_port(span=2 * REPLICAS * len(ROLE_GROUPS))),
                    "CADRE_LOG_LEVEL": "WARNING"}
        self.log = (tmp / "up.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], env=self.env, cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.out = tmp / "up.log"

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    def wait_for(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.text():
            assert self.proc.poll() is None, f"cadre up exited: {self.text()[-3000:]}"
            assert time.monotonic() < deadline, f"no '{marker}' after {timeout} s: {self.text()[-3000:]}"
            time.sleep(0.5)

    def state(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.data / "supervisor.json").read_text(encoding="utf-8"))
        return dict(doc["processes"])

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()
        return int(self.proc.returncode)


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    u = Up(Path(tmp_path_factory.mktemp("distributed")))
    try:
        u.wait_for("ready.", timeout=420)
        yield u
    finally:
        u.stop()


def test_every_role_process_runs_twice(up: Up) -> None:
    state = up.state()
    expected = {f"{p}.{r.split(',')[0]}.{i}" if p != "workflows" else f"workflows.{i}"
                for p, r in ROLE_GROUPS for i in range(1, REPLICAS + 1)}
    assert set(state) == expected
    assert {s["state"] for s in state.values()} == {"running"}
    assert len({s["pid"] for s in state.values()}) == len(expected), "each its own process"


def test_a_killed_api_replica_is_restarted_while_the_other_serves(up: Up) -> None:
    url = f"http://127.0.0.1:{up.ports['registration']}/readyz"
    victim = up.state()["registration.api.1"]
    os.kill(int(victim["pid"]), signal.SIGKILL)
    answered, started = 0, time.monotonic()
    with httpx.Client(timeout=5) as http:
        while time.monotonic() - started < 60:
            assert http.get(url).status_code == 200, "the other replica keeps the port served"
            answered += 1
            now = up.state()["registration.api.1"]
            if now["state"] == "running" and now["pid"] not in (None, victim["pid"]) and now["restarts"] >= 1:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"registration.api.1 not restarted: {up.state()['registration.api.1']}")
    assert answered > 0
    assert "registration.api.1 killed by SIGKILL" in up.text()


def test_status_lists_every_role_process(up: Up) -> None:
    shown = subprocess.run([sys.executable, "-m", "cli.main", "status", "--json"], env=up.env, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    rows = {r["name"]: r for r in json.loads(shown.stdout)}
    assert {"registration.relay.1", "registration.relay.2", "selection.worker.2", "workflows.2"} <= set(rows)
    assert rows["registration.relay.2"]["supervisor"] == "running"
    assert rows["registration.relay.2"]["outbox_pending"] is not None, "a relay reports its outbox"
