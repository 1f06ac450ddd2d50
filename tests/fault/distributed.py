"""The distributed profile of deploy/local/distributed.sh for the fault suite, on its own components: PostgreSQL,
a 3-broker Kafka (replication 3, min.insync.replicas 2) and the Temporal server in a fresh state directory on free
ports, with every role process twice under `cadre up`. The suite restarts these components, so it never uses the
shared ones of the test run (or of a developer). Stopped at the end, also on failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from cli.distributed import ROLE_GROUPS
from shared.ports import loopback_port
from tests.support.stack import ROOT

LOCAL = ROOT / "deploy" / "local"
ARTIFACTS = ROOT / "test-artifacts"
KEEP_BYTES = 1 << 20
REPLICAS = 2
# what distributed.sh and the component scripts read; the caller's values (e.g. those of scripts/test.sh's own
# components) must not leak into this stack
OWN_VARS = ("PGDATA", "PGPORT", "KAFKA_DIR", "KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "KAFKA_NODES", "KAFKA_MIN_ISR",
            "TEMPORAL_DIR", "TEMPORAL_PORT", "TEMPORAL_HTTP_PORT", "TEMPORAL_METRICS_PORT", "TEMPORAL_UI_PORT")


class DistributedStack:
    """distributed.sh start/stop in a temporary DIST_DIR; the component scripts for the faults."""

    def __init__(self) -> None:
        # under /tmp and traversable: PostgreSQL runs as the `postgres` OS user when the suite runs as root
        self.dir = Path(tempfile.mkdtemp(prefix="cadre-fault-dist-", dir="/tmp"))
        self.dir.chmod(0o755)
        self.pg_port = loopback_port(span=1)
        self.kafka_port = loopback_port(span=21)  # brokers on +0, +10, +20
        self.kafka_ctl_port = loopback_port(span=21)
        self.temporal_port = loopback_port(span=3)
        self.ports = {n: loopback_port(span=1) for n in ("portal", "registration", "scheduling", "selection",
                                                          "workflows")}
        ops = loopback_port(span=REPLICAS * len(ROLE_GROUPS))
        base = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_") and k not in OWN_VARS}
        self.script_env = {**base, "DIST_DIR": str(self.dir), "DIST_PG_PORT": str(self.pg_port),
                           "DIST_KAFKA_PORT": str(self.kafka_port),
                           "DIST_KAFKA_CONTROLLER_PORT": str(self.kafka_ctl_port),
                           "DIST_TEMPORAL_PORT": str(self.temporal_port), "DIST_REPLICAS": str(REPLICAS),
                           "CADRE_PORTS": json.dumps(self.ports), "CADRE_OPS_PORT_BASE": str(ops),
                           "CADRE_LOG_LEVEL": "WARNING", "CADRE_SUPERVISOR_BACKOFF_SECONDS": "1",
                           "CADRE_SUPERVISOR_MAX_RESTARTS": "8", "KAFKA_HEAP": "384m",
                           "DIST_START_TIMEOUT": "420"}
        self.env: dict[str, str] = {}

    @property
    def state_file(self) -> Path:
        return self.dir / "data" / "supervisor.json"

    def _run(self, script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> None:
        done = subprocess.run(["bash", str(LOCAL / script), *args], env=env or self.script_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"{script} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")

    def start(self) -> None:
        self._run("distributed.sh", "start", timeout=480)
        self.env = {**self.script_env, **read_env(self.dir / "env")}

    def component_env(self) -> dict[str, str]:
        """What postgres.sh, kafka.sh and temporal.sh need to address this stack's components."""
        return {**self.script_env, "PGDATA": str(self.dir / "pg"), "PGPORT": str(self.pg_port),
                "KAFKA_DIR": str(self.dir / "kafka"), "KAFKA_NODES": "3", "KAFKA_PORT": str(self.kafka_port),
                "KAFKA_CONTROLLER_PORT": str(self.kafka_ctl_port), "TEMPORAL_DIR": str(self.dir / "temporal"),
                "TEMPORAL_PORT": str(self.temporal_port)}

    def component(self, script: str, *args: str) -> None:
        self._run(script, *args, env=self.component_env())

    def db_urls(self) -> dict[str, str]:
        template = self.env["CADRE_DATABASE_URL"]
        return {s: template.format(service=s) for s in ("registration", "scheduling", "selection", "portal")}

    def stop(self) -> None:
        try:
            self._run("distributed.sh", "stop", timeout=300)
        finally:
            time.sleep(0.5)
            self.keep_logs()
            shutil.rmtree(self.dir, ignore_errors=True)

    def keep_logs(self) -> None:
        """The role processes' and the launcher's logs, into test-artifacts/fault-distributed/ (the state
        directory is deleted): what a failed run needs to be understood afterwards, e.g. on a CI machine."""
        out = ARTIFACTS / "fault-distributed"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        logs = [*(self.dir / "data" / "logs").glob("*.log"), self.dir / "cadre-up.log"]
        for log in logs:
            if log.is_file():
                with log.open("rb") as f:  # the last MiB of each: the warnings of a loaded machine repeat
                    f.seek(max(0, log.stat().st_size - KEEP_BYTES))
                    (out / log.name).write_bytes(f.read())


def read_env(path: Path) -> dict[str, str]:
    """The `export K='v'` lines distributed.sh writes."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export ") and "=" in line:
            k, v = line[len("export "):].split("=", 1)
            out[k] = v.strip("'")
    return out
