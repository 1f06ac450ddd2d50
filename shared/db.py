"""SQLAlchemy 2 async engines and session factories, one per service database."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.logging import get_logger

log = get_logger(__name__)


def is_sqlite(engine: AsyncEngine) -> bool:
    """Whether the engine talks to SQLite (the embedded profile)."""
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Build a service's engine. SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE transactions,
    so concurrent writers from several processes queue instead of failing."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            # a reader (see ``reading``) takes no write lock, so it never queues behind a writer
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READER) else "BEGIN IMMEDIATE")

        _replace_on_lost_write(engine)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    _replace_on_lost_write(engine)
    # many rows inserted at once go as multi-row INSERTs, not one execution per row (asyncpg's executemany):
    # measured on a batch of 100 outbox rows, about a quarter less work for PostgreSQL
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


SQLITE_READONLY = 8  # the primary result code; extended codes (READONLY_RECOVERY, _CANTLOCK, _DBMOVED …) share it
PG_READ_ONLY_TRANSACTION = "25006"


def is_lost_write(error: BaseException | None) -> bool:
    """Whether a database error says this connection cannot write: SQLite's "attempt to write a readonly database"
    (a connection opened while the file could not be written stays read-only for good), PostgreSQL's
    read_only_sql_transaction (a connection that landed on a standby)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == SQLITE_READONLY:
            return True
        if getattr(error, "sqlstate", None) == PG_READ_ONLY_TRANSACTION:
            return True
        text = str(error)
        if "readonly database" in text or "read-only transaction" in text:
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


def _replace_on_lost_write(engine: AsyncEngine) -> None:
    """A connection that lost write access is treated as a disconnect: SQLAlchemy invalidates it and every other
    pooled connection (opened in the same conditions), so the next unit of work — the activity's retry, the next
    request — opens a fresh one, which writes again once the file or the primary is back. Without this a brief
    write failure sticks until the process restarts."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if not context.is_disconnect and is_lost_write(context.original_exception):
            log.warning("database_write_lost", url=engine.url.render_as_string(hide_password=True),
                        error=str(context.original_exception)[:200])
            context.is_disconnect = True


PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Test a pooled connection before lending it out, unless it was in use less than a second ago: a connection
    that just worked is not pinged again (SQLAlchemy's pool_pre_ping pings every checkout, and on asyncpg a ping is
    three round trips: BEGIN, a statement, ROLLBACK — half of a short transaction's round trips). A connection
    found dead is replaced before anyone sees it (the pool retries on DisconnectionError)."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one that answered a moment ago
        try:
            alive = dialect.do_ping(dbapi_conn)
        except Exception as error:
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error!r}") from error
        if not alive:
            raise exc.DisconnectionError("pooled connection failed its ping")


READER = "cadre_reader"


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The engine as seen by one-statement reads: PostgreSQL runs each statement on its own (no BEGIN and
    ROLLBACK round trips; one statement is one snapshot); SQLite begins a deferred transaction (no write lock)."""
    if is_sqlite(engine):
        return engine.execution_options(**{READER: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
