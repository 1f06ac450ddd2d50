"""A one-statement read on SQLite takes no write lock: it answers while a writer holds its transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from shared.db import create_engine, reader


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
