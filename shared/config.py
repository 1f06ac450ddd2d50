"""Typed settings for every Cadreflow process (prefix ``CADRE_``), passed in, never imported as a global."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.timing import TASK_DUE_SECONDS, TASK_GRACE_SECONDS

SERVICES = ("registration", "scheduling", "selection", "portal")
EMBEDDED_DEV_SECRET = "cadreflow-embedded-dev-secret-do-not-use-in-production"
MIN_SECRET_BYTES = 32  # HS256 signs with SHA-256: a shorter key is weaker than the hash (RFC 7518 §3.2)
DEFAULT_PORTS = {"portal": 8000, "registration": 8001, "scheduling": 8002, "selection": 8003, "workflows": 8009}


def _loopback(address: str) -> bool:
    """Whether a host:port (or [v6]:port) names this machine."""
    host = address.rpartition(":")[0] if ":" in address else address
    host = host.strip("[]") or address
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Everything a process needs to know about its environment."""

    model_config = SettingsConfigDict(env_prefix="CADRE_", extra="ignore", hide_input_in_errors=True)

    profile: Literal["embedded", "distributed"] = "embedded"
    data_dir: Path = Path("var")
    # A template with ``{service}``, e.g. postgresql+asyncpg://u@h:5432/cadre_{service}.
    # Empty: one SQLite file per service under data_dir (the embedded default).
    database_url: str = ""
    event_transport: Literal["embedded", "kafka", ""] = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    jwt_secret: SecretStr = SecretStr(EMBEDDED_DEV_SECRET)
    jwt_ttl_seconds: int = 8 * 3600
    host: str = "127.0.0.1"
    ports: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_PORTS))
    service_urls: dict[str, str] = Field(default_factory=dict)
    log_level: str = "INFO"
    relay_batch_size: int = 1000
    relay_idle_seconds: float = 0.02
    # an idle relay's longest sleep between looks of its own (a commit wakes it at once: see shared.events.relay)
    relay_max_idle_seconds: float = 2.0
    consumer_max_retries: int = 3
    topic_partitions: int = 3
    # Replicas of each topic a consumer creates (a 3-broker cluster: 3) and the in-sync replicas a write needs (2).
    topic_replication: int = 1
    topic_min_insync: int = 1
    # Prefix of every topic and consumer group, so several deployments (or test stacks) can share one broker.
    event_namespace: str = ""
    # How long the Organization Board has to review a flagged registration, and the grace before escalation.
    review_due_seconds: int = TASK_DUE_SECONDS
    review_grace_seconds: int = TASK_GRACE_SECONDS
    # Workflows kept in a worker's cache; a 500-candidate campaign runs about 1,000 child workflows.
    workflow_cache_size: int = 4000
    # An activity on its attempt beyond this counts as retrying too often (shared.activity_metrics, the alert
    # CadreActivityRetrying, `cadre status`).
    activity_attempts_alert: int = 5
    # The portal's Ed25519 key that seals every completion it authorised (shared.seal): the base64 private key, or a
    # file holding it. Embedded profile: generated once into data_dir/portal-signing.key (0600) when neither is set.
    portal_signing_key: SecretStr = SecretStr("")
    portal_signing_key_file: Path | None = None
    # The public keys (base64) whose seals the workflow worker accepts, e.g. '["<new>", "<old>"]' during a rotation.
    # Embedded profile: the public half of the portal's key file when empty.
    portal_public_keys: list[str] = Field(default_factory=list)
    # Temporal over mTLS (distributed profile): the client certificate and key, and the CA the server's is checked
    # against. Empty: a plain connection (the embedded dev server listens on loopback only).
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_ca: Path | None = None
    temporal_tls_server_name: str = ""
    # `cadre up` restarts a child that exits: after backoff (doubling from the first, up to the max), and gives up on
    # one that died more than `supervisor_max_restarts` times in a row, each within `supervisor_stable_seconds` of
    # its start (a child that ran longer than that starts its count afresh).
    supervisor_max_restarts: int = 5
    supervisor_backoff_seconds: float = 0.5
    supervisor_backoff_max_seconds: float = 30.0
    supervisor_stable_seconds: float = 60.0
    # how long `cadre up` waits for every process's /readyz at start-up before it says which are not ready and
    # stops; 0 = the profile's default (embedded 90 s for its five processes, distributed 240 s for its 26: on
    # two cores their imports and consumer-group joins alone take 100-150 s)
    start_timeout_seconds: float = Field(default=0, ge=0)
    # Distributed profile under `cadre up` (cli.distributed): replicas of every role process, the first port of
    # the role processes' own /readyz and /metrics, and whether an API binds its port with SO_REUSEPORT so that
    # its replicas share it.
    replicas: int = Field(default=2, ge=1, le=8)
    ops_port_base: int = 9100
    api_reuse_port: bool = False

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        secret = self.jwt_secret.get_secret_value()
        if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"CADRE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long")
        if secret == EMBEDDED_DEV_SECRET and (self.profile != "embedded" or self.real_components):
            where = ", ".join(self.real_components) or f"the {self.profile} profile"
            raise ValueError(
                f"CADRE_JWT_SECRET must be set: the embedded development secret is refused with {where} "
                "(it is public, anyone could sign a token)"
            )
        return self

    @property
    def portal_signing_key_text(self) -> str:
        """The configured private key text, if any (shared.seal reads it)."""
        return self.portal_signing_key.get_secret_value()

    @property
    def real_components(self) -> list[str]:
        """The real (shared, networked) components configured: PostgreSQL, Kafka, a non-loopback Temporal."""
        found = []
        if self.database_url and not self.database_url.startswith("sqlite"):
            found.append("a database server (CADRE_DATABASE_URL)")
        if self.transport == "kafka":
            found.append("Kafka (CADRE_EVENT_TRANSPORT / profile)")
        if not _loopback(self.temporal_address):
            found.append(f"Temporal at {self.temporal_address}")
        return found

    @property
    def transport(self) -> str:
        """Which event transport this process uses."""
        if self.event_transport:
            return self.event_transport
        return "kafka" if self.profile == "distributed" else "embedded"

    def db_url(self, service: str) -> str:
        """The SQLAlchemy URL of one service's own database."""
        if self.database_url:
            return self.database_url.format(service=service)
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    @property
    def event_log_path(self) -> Path:
        """The embedded event log's SQLite file."""
        return (self.data_dir / "events.db").resolve()

    def url_of(self, service: str) -> str:
        """Base URL of another service's HTTP API."""
        if service in self.service_urls:
            return self.service_urls[service].rstrip("/")
        return f"http://{self.host}:{self.ports[service]}"
