"""PostgreSQL: a pooled connection that can no longer write (it landed on a standby, or its session went read-only)
is replaced at its first refused write, and the next unit of work writes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from shared import db
from tests.support import infra

pytestmark = pytest.mark.integration


async def test_a_read_only_session_is_replaced() -> None:
    engine = db.create_engine(infra.new_database_template().format(service="registration"), pool_size=2)
    read_only = {"on": True}

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:
        if read_only["on"]:
            dbapi_conn.run_async(lambda c: c.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"))

    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1  # it reads
        with pytest.raises(DBAPIError) as caught:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE lost_write_probe (x int)"))
        assert db.is_lost_write(caught.value) and caught.value.connection_invalidated
        read_only["on"] = False
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE lost_write_probe (x int)"))
            await conn.execute(text("DROP TABLE lost_write_probe"))
    finally:
        await engine.dispose()
