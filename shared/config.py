"""Typed settings for every Cadreflow process (prefix ``CADRE_``), passed in, never imported as a global."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registration", "scheduling", "selection", "portal")
EMBEDDED_DEV_SECRET = "cadreflow-embedded-dev-secret-do-not-use-in-production"
DEFAULT_PORTS = {"portal": 8000, "registration": 8001, "scheduling": 8002, "selection": 8003, "workflows": 8009}


class Settings(BaseSettings):
    """Everything a process needs to know about its environment."""

    model_config = SettingsConfigDict(env_prefix="CADRE_", extra="ignore")

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
    # Prefix of every topic and consumer group, so several deployments (or test stacks) can share one broker.
    event_namespace: str = ""
    # How long the Organization Board has to review a flagged registration, and the grace before escalation.
    review_due_seconds: int = 3 * 24 * 3600
    review_grace_seconds: int = 2 * 24 * 3600
    # Workflows kept in a worker's cache; a 500-candidate campaign runs about 1,000 child workflows.
    workflow_cache_size: int = 4000
    # `cadre up` restarts a child that exits: after backoff (doubling from the first, up to the max), and gives up on
    # one that died more than `supervisor_max_restarts` times in a row, each within `supervisor_stable_seconds` of
    # its start (a child that ran longer than that starts its count afresh).
    supervisor_max_restarts: int = 5
    supervisor_backoff_seconds: float = 0.5
    supervisor_backoff_max_seconds: float = 30.0
    supervisor_stable_seconds: float = 60.0

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.profile != "embedded" and self.jwt_secret.get_secret_value() == EMBEDDED_DEV_SECRET:
            raise ValueError(
                "CADRE_JWT_SECRET must be set outside the embedded profile "
                "(the embedded development secret is refused)"
            )
        return self

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
