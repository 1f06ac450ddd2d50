"""A one-statement read on SQLite takes no write lock: it answers while a writer holds its transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from shared.db import create_engine, reader
from shared.uow import unit_of_work
from tests.support.sqlite_ctx import sqlite_context


async def test_a_reader_answers_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/r.db")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (n INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (1)"))
    async with engine.connect() as writer:
        await writer.execute(text("INSERT INTO t VALUES (2)"))  # BEGIN IMMEDIATE: the write lock is held
        async with reader(engine).connect() as conn:
            seen = await asyncio.wait_for(conn.scalar(text("SELECT sum(n) FROM t")), timeout=2)
        assert seen == 1  # the committed state, without waiting for the writer (BEGIN IMMEDIATE would wait)
        await writer.rollback()
    await engine.dispose()


async def test_a_read_session_answers_while_a_unit_of_work_writes(tmp_path: Path) -> None:
    """What a GET endpoint reads with (ServiceContext.read_sessions) does not queue behind a writer's transaction,
    as a session of ``sessions`` (BEGIN IMMEDIATE) does."""
    ctx = await sqlite_context(tmp_path)
    async with unit_of_work(ctx) as uow:
        await uow.session.execute(text("SELECT 1"))  # the unit's BEGIN IMMEDIATE: it holds the write lock
        async with ctx.read_sessions() as session:
            found = await asyncio.wait_for(session.scalar(text("SELECT count(*) FROM audit_log")), timeout=2)
        assert found == 0
    await ctx.dispose()
