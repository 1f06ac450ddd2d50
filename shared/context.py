"""What one service's process holds: its settings, database and infrastructure tables."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from sqlalchemy import MetaData, false, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request

from shared.config import Settings
from shared.db import create_engine, is_lost_write, is_sqlite, reader, session_factory
from shared.events.envelope import topic_of
from shared.events.wakeup import Wakeup
from shared.tables import InfraTables


@dataclass
class ServiceContext:
    """A service's own database handles; built once in the composition root."""

    service: str
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    metadata: MetaData
    tables: InfraTables
    reader: AsyncEngine
    # sessions for an endpoint that only reads: on SQLite a deferred BEGIN (no write lock: a GET never queues behind
    # the writers, as BEGIN IMMEDIATE made it do, seconds at a time under a bulk enrolment); on PostgreSQL the same
    # sessions as writers (read committed: each statement its own snapshot either way)
    read_sessions: async_sessionmaker[AsyncSession]
    # set by every unit of work that committed outbox rows: this process's relay starts at once, however long it slept
    outbox_committed: Wakeup = field(default_factory=Wakeup)

    @property
    def topic(self) -> str:
        return topic_of(self.service)

    @property
    def source(self) -> str:
        return f"/cadreflow/{self.service}"

    def reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for a read that is one statement (see shared.db.reader)."""
        return self.reader.connect()

    async def ping(self) -> bool:
        """Whether the service's database answers (a read: it takes no write lock; see `writable`)."""
        async with self.reading() as conn:
            await conn.exec_driver_sql("SELECT 1")
        return True

    async def writable(self) -> bool | str:
        """Whether the service can write its database: a no-op UPDATE of the outbox in a transaction rolled back
        (on SQLite its BEGIN IMMEDIATE takes the write lock for that moment). "read_only" when it cannot."""
        outbox = self.tables.outbox
        try:
            async with self.engine.connect() as conn:
                await conn.execute(update(outbox).where(false()).values(seq=outbox.c.seq))
                await conn.rollback()
        except DBAPIError as exc:
            if is_lost_write(exc):
                return "read_only"
            raise
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def ctx_of(request: Request) -> ServiceContext:
    """The service's database context, as its composition root put it on the app."""
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def build_context(service: str, settings: Settings, metadata: MetaData, tables: InfraTables,
                  *, url: str | None = None) -> ServiceContext:
    """Open a service's engine (no connection is made until first use)."""
    engine = create_engine(url or settings.db_url(service))
    sessions = session_factory(engine)
    reads = session_factory(reader(engine)) if is_sqlite(engine) else sessions
    return ServiceContext(service, settings, engine, sessions, metadata, tables, reader(engine), reads)
