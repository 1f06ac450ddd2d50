"""Pooled PostgreSQL connections: one that just answered is lent out without a ping; one idle for a while is
tested first, and a dead one is replaced before anyone sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import db
from tests.support import infra

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    e = db.create_engine(infra.new_database_template().format(service="registration"), pool_size=1)
    yield e
    await e.dispose()


def count_pings(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_conn))

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_that_just_answered_is_not_pinged(engine: AsyncEngine,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pings = count_pings(engine, monkeypatch)
    pids = {await backend_pid(engine) for _ in range(20)}
    assert len(pids) == 1  # the same pooled connection every time
    assert pings == []


async def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine: AsyncEngine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pings = count_pings(engine, monkeypatch)
    first = await backend_pid(engine)
    with psycopg.connect(infra.pg_admin_dsn(), autocommit=True) as admin:  # the server drops the pooled connection
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had been idle for a while
    second = await backend_pid(engine)  # no error: the ping found it dead and the pool connected anew
    assert second != first
    assert len(pings) == 1
