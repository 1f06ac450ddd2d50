"""Temporal client factory; the SDK runtime's metrics are exposed on the process's /metrics."""

from __future__ import annotations

import socket
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import TLSConfig
from temporalio.worker import PollerBehaviorAutoscaling

from shared.config import Settings
from shared.logging import get_logger
from shared.metrics import expose_sdk_metrics
from shared.temporal_payloads import data_converter

log = get_logger(__name__)

_RUNTIME: list[Runtime] = []


def poller_options() -> dict[str, Any]:
    """How a worker polls its activity queue: as many polls as the queue's backlog asks for (1 to 100; the server
    says how many tasks wait), not a fixed five. A burst of activities — every paper of a campaign asks its markers
    at once — otherwise drains at five polls' round trips while the activities themselves take milliseconds
    (docs/performance.md, Campaign, 2026-12-02)."""
    return {"activity_task_poller_behavior": PollerBehaviorAutoscaling()}


@cache
def build_id() -> str:
    """The worker's build id: the project's version. Left unset, the SDK hashes the bytecode of every loaded module
    to make one, 3.4 CPU-seconds per process at start-up (a third of `cadre up` on two cores); no worker here opts
    into versioning, so the id only names the build in the server's worker list."""
    try:
        return f"cadreflow-{version('cadreflow')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "cadreflow-source"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def runtime() -> Runtime:
    """One SDK runtime per process, exporting Prometheus metrics on a loopback port."""
    if not _RUNTIME:
        port = _free_port()
        rt = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}")))
        _RUNTIME.append(rt)
        expose_sdk_metrics(f"http://127.0.0.1:{port}/metrics")
    return _RUNTIME[0]


def tls_config(settings: Settings) -> TLSConfig | bool:
    """mTLS to the Temporal frontend when a client certificate is configured (the distributed profile), else a
    plain connection (the embedded dev server, which listens on loopback only)."""
    if settings.temporal_tls_cert is None and settings.temporal_tls_ca is None:
        return False
    if (settings.temporal_tls_cert is None) != (settings.temporal_tls_key is None):
        raise RuntimeError("CADRE_TEMPORAL_TLS_CERT and CADRE_TEMPORAL_TLS_KEY go together (mutual TLS)")
    return TLSConfig(
        server_root_ca_cert=settings.temporal_tls_ca.read_bytes() if settings.temporal_tls_ca else None,
        client_cert=settings.temporal_tls_cert.read_bytes() if settings.temporal_tls_cert else None,
        client_private_key=settings.temporal_tls_key.read_bytes() if settings.temporal_tls_key else None,
        domain=settings.temporal_tls_server_name or None)


async def connect(settings: Settings) -> Client:
    """Connect to the Temporal frontend of the profile (over mTLS when configured)."""
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                runtime=runtime(), tls=tls_config(settings), data_converter=data_converter())


async def healthy(client: Client, timeout: float = 1.5, attempts: int = 2) -> bool:
    """Whether the Temporal frontend answers its health check. One failed call is not enough to say no: an idle
    connection that the server has just closed (its connection-age limit sends GOAWAY) or a slow moment of a
    loaded machine fails a single call now and then, which made readiness flap on an idle stack; the SDK's retry
    (on Unavailable) and a second attempt absorb that, within the readiness timeout (shared.web)."""
    from datetime import timedelta

    for attempt in range(attempts):
        try:
            if await client.service_client.check_health(retry=True, timeout=timedelta(seconds=timeout)):
                return True
        except Exception as exc:
            if attempt == attempts - 1:
                log.info("temporal_health_failed", error=repr(exc)[:200], attempts=attempts)
    return False
