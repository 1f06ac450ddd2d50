"""Faults on the distributed profile (deploy/local/distributed.sh: PostgreSQL, a 3-broker Kafka with replication 3
and min.insync.replicas 2, the Temporal server, every role process twice under `cadre up`) while three selection
campaigns and a load of registrations run (tests/fault/workload.yaml, through the public APIs):

kill -9 a workflows worker, an API replica, a relay and an event consumer, in turn; restart the Temporal server;
restart PostgreSQL; kill one Kafka broker (it stays down while marking and the committee run).

After each fault: the stack is back (every role process running, every /readyz 200; the time is the recovery
time) and no record is duplicated. At the end: every campaign and registration has the fault-free outcome,
no task is left open or half-completed, `cadre audit verify` passes."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fault import harness
from tests.fault.distributed import DistributedStack
from tests.fault.harness import Row, Workload

pytestmark = pytest.mark.integration
PROFILE = "distributed"
RECOVER_WITHIN = 120.0
WORKLOAD_WITHIN = 600.0
# (row label, supervisor name): each role of the manifests, one replica of it
PROCESS_KILLS = (
    ("kill -9 workflows worker (workflows.1)", "workflows.1"),
    ("kill -9 API replica (selection.api.1)", "selection.api.1"),
    ("kill -9 relay (selection.relay.1)", "selection.relay.1"),
    ("kill -9 consumer (scheduling.worker.1)", "scheduling.worker.1"),
)


@pytest.fixture(scope="module")
def stack() -> Iterator[DistributedStack]:
    s = DistributedStack()
    try:
        s.start()
        yield s
    finally:
        s.stop()


def test_every_fault_ends_with_the_fault_free_outcome(stack: DistributedStack, tmp_path: Path) -> None:
    rows: list[Row] = []
    urls = stack.db_urls()
    work = Workload(stack.env, tmp_path)

    def fault(label: str, started: float, killed: dict[str, int] | None = None) -> None:
        harness.after(rows, PROFILE, label, started, harness.recovered(stack.state_file, stack.env, killed=killed),
                      urls, RECOVER_WITHIN, work)
    try:
        work.wait_for_steps(8, timeout=180)  # the campaigns are being created
        for label, name in PROCESS_KILLS:
            old = int(harness.children(stack.state_file)[name]["pid"])
            t0 = time.monotonic()
            os.kill(old, signal.SIGKILL)
            fault(label, t0, killed={name: old})

        t0 = time.monotonic()
        stack.component("temporal.sh", "stop")
        stack.component("temporal.sh", "start")
        fault("restart Temporal server", t0)

        t0 = time.monotonic()
        stack.component("postgres.sh", "stop")
        stack.component("postgres.sh", "start")
        fault("restart PostgreSQL", t0)

        work.wait_for_steps(19, timeout=300)  # marking and the committee are next
        t0 = time.monotonic()
        stack.component("kafka.sh", "kill", "2")
        fault("kill -9 Kafka broker 2 (of 3)", t0)

        out = work.finish(WORKLOAD_WITHIN)
        stack.component("kafka.sh", "start", "2")
        harness.conclude(rows, out, urls)
    finally:
        work.stop()
        harness.ROWS.extend(rows)

