"""Integration fixtures: a distributed-profile stack on the real PostgreSQL, Kafka and Temporal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import infra
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Registration, scheduling and the workflows worker as real processes, on fresh databases."""
    s = Stack.distributed(database_url=infra.new_database_template(), kafka=infra.kafka_bootstrap(),
                          temporal=infra.temporal_address(), log_dir=Path(tmp_path_factory.mktemp("stack")),
                          own_namespace=True)
    migrated = s.cadre("migrate")
    assert migrated.returncode == 0, migrated.stderr
    for name in ("registration", "scheduling", "workflows"):
        s.start(name)
    try:
        s.wait_ready("registration", "scheduling", "workflows")
        yield s
    finally:
        s.stop()
