"""A connection that lost write access is replaced: SQLite's "attempt to write a readonly database" (a connection
opened while the file could not be written stays read-only) invalidates the pool, so writing works again as soon
as the file does; readiness names the database as read-only meanwhile instead of saying `database: ok`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.exc import OperationalError

from shared.db import is_lost_write
from shared.web import build_app
from tests.support.sqlite_ctx import sqlite_context


class Immutable:
    """While `on`, a new connection behaves like one SQLite opened while the file could not be written (read-only
    for good); switching it off is the file being restored."""

    def __init__(self, ctx: Any) -> None:
        self.on = True
        self.opened = 0

        @event.listens_for(ctx.engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _: Any) -> None:
            self.opened += 1
            if self.on:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA query_only=1")
                cur.close()


async def _write(ctx: Any) -> None:
    async with ctx.engine.begin() as conn:
        await conn.execute(insert(ctx.tables.processed).values(consumer_group="g", event_id=f"e-{id(conn)}",
                                                                processed_at=datetime.now(UTC)))


async def test_a_read_only_connection_is_replaced_and_writes_recover(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    try:
        await ctx.engine.dispose()  # the schema's connection is gone: the next one is opened "read-only"
        immutable = Immutable(ctx)
        with pytest.raises(OperationalError) as caught:
            await _write(ctx)
        assert is_lost_write(caught.value)
        assert caught.value.connection_invalidated
        immutable.on = False  # the file is writable again
        await _write(ctx)  # a fresh connection, which can write: without the fix the read-only one came back
        assert immutable.opened == 2
        async with ctx.engine.connect() as conn:
            assert len((await conn.execute(select(ctx.tables.processed))).all()) == 1
    finally:
        await ctx.dispose()


async def test_readiness_says_read_only_then_recovers(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    try:
        await ctx.engine.dispose()
        immutable = Immutable(ctx)
        app = build_app(service="t", title="t", settings=ctx.settings, routers=[],
                        readiness={"database": ctx.ping, "database_write": ctx.writable})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            first = await http.get("/readyz")
            assert first.status_code == 503
            assert first.json()["checks"] == {"database": "ok", "database_write": "read_only"}
            assert first.json()["failing"] == ["database_write"]
            immutable.on = False
            # the probe that failed replaced the pool; a connection another check opened while the file was still
            # read-only is replaced by the next failing probe, so readiness comes back within a few probes
            for _ in range(5):
                second = await http.get("/readyz")
                if second.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert second.status_code == 200, second.json()
            assert second.json()["checks"] == {"database": "ok", "database_write": "ok"}
    finally:
        await ctx.dispose()


async def test_the_write_probe_writes_nothing(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    try:
        assert await ctx.writable() is True
        async with ctx.engine.connect() as conn:
            assert (await conn.execute(select(ctx.tables.outbox))).all() == []
    finally:
        await ctx.dispose()


class _PgError(Exception):
    sqlstate = "25006"


def test_lost_write_is_recognised_on_both_databases() -> None:
    assert is_lost_write(_PgError("cannot execute INSERT in a read-only transaction"))
    assert not is_lost_write(Exception("database is locked"))
    assert not is_lost_write(None)
