"""`cadre up` in the distributed profile: every service's roles as separate processes, two replicas of each, the
way deploy/compose and deploy/k8s run them — on real PostgreSQL, Kafka and Temporal started beforehand (e.g. by
deploy/local/distributed.sh). The two replicas of an API share its port (SO_REUSEPORT: the kernel spreads the
connections, as a Kubernetes Service would); every other role process serves /readyz and /metrics on a port of
its own. The supervisor of cli.supervisor restarts what dies."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from cli.supervisor import Supervisor, poll_ready
from shared.config import SERVICES, Settings

# (process, roles) as the manifests group them; each runs `replicas` times
ROLE_GROUPS: tuple[tuple[str, str], ...] = (
    *((name, roles) for name in SERVICES for roles in ("api", "worker,consumers", "relay")),
    ("workflows", "api,worker,consumers"),
)


@dataclass(frozen=True)
class Replica:
    """One role process of the distributed stack."""

    process: str  # registration, …, workflows
    roles: str
    index: int  # 1, 2, …
    port: int  # the API's shared port, or the process's own ops port

    @property
    def key(self) -> str:
        """The supervisor's name for it: `registration.api.1`, `selection.worker.2`, `workflows.1`."""
        if self.process == "workflows":
            return f"workflows.{self.index}"
        return f"{self.process}.{self.roles.split(',')[0]}.{self.index}"

    @property
    def serves_api(self) -> bool:
        return self.roles.split(",")[0] == "api"


def plan(settings: Settings) -> list[Replica]:
    """Every role process, with its port: APIs on the service's port, the rest from `ops_port_base` upwards."""
    out: list[Replica] = []
    ops = settings.ops_port_base
    for process, roles in ROLE_GROUPS:
        for index in range(1, settings.replicas + 1):
            if roles.startswith("api"):
                out.append(Replica(process, roles, index, settings.ports[process]))
            else:
                out.append(Replica(process, roles, index, ops))
                ops += 1
    return out


def refuse_unless_distributed(settings: Settings) -> None:
    """The distributed launcher needs the real components configured; it never starts them itself."""
    missing = []
    if not settings.database_url or settings.database_url.startswith("sqlite"):
        missing.append("CADRE_DATABASE_URL (PostgreSQL)")
    if settings.transport != "kafka":
        missing.append("Kafka (CADRE_PROFILE=distributed or CADRE_EVENT_TRANSPORT=kafka)")
    if missing:
        raise SystemExit("The distributed profile runs on real components; not configured: " + ", ".join(missing)
                         + ". deploy/local/distributed.sh starts them on this machine and writes their settings.")


def spawn_all(sup: Supervisor, replicas: list[Replica]) -> None:
    for r in replicas:
        argv = [sys.executable, "-m", "cli.main", "serve", r.process, "--roles", r.roles]
        env = {"CADRE_API_REUSE_PORT": "1"} if r.serves_api else None
        if not r.serves_api:
            argv += ["--port", str(r.port)]
        sup.spawn(r.key, argv, env, url=f"http://{sup.settings.host}:{r.port}")


START_TIMEOUT = 240.0  # seconds, unless CADRE_START_TIMEOUT_SECONDS says otherwise


def wait_ready(settings: Settings, sup: Supervisor, replicas: list[Replica]) -> list[str]:
    """Poll each role process's /readyz (an API's through its shared port) until all answer 200; the ones that
    did not."""
    urls = {r.key: f"http://{settings.host}:{r.port}/readyz" for r in replicas}
    return sorted(poll_ready(urls, sup, settings.start_timeout_seconds or START_TIMEOUT))
