"""Where the real components started by `make test` are; a missing one fails the test (never skips)."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest


def need(var: str) -> str:
    """An infrastructure address exported by scripts/test.sh."""
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"{var} is not set: run the suite with `make test`, which starts PostgreSQL, Kafka and Temporal")
    return value


def pg_admin_dsn() -> str:
    return need("CADRE_TEST_PG_DSN")


def kafka_bootstrap() -> str:
    return need("CADRE_TEST_KAFKA")


def temporal_address() -> str:
    return need("CADRE_TEST_TEMPORAL")


def kafka_ctl(action: str) -> None:
    """Stop or start the test Kafka broker (same data kept)."""
    ctl = need("CADRE_TEST_KAFKA_CTL")
    subprocess.run(["bash", ctl, action], check=True, timeout=180, env=os.environ.copy())


def new_database_template() -> str:
    """Create one fresh PostgreSQL database per service for a test; return the CADRE_DATABASE_URL template."""
    import psycopg

    tag = uuid.uuid4().hex[:10]
    admin = pg_admin_dsn()
    with psycopg.connect(admin, autocommit=True) as conn:
        for service in ("registration", "scheduling", "selection", "portal"):
            conn.execute(f'CREATE DATABASE "cadre_{service}_{tag}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/cadre_{{service}}_{tag}"
