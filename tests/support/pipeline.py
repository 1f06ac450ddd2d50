"""Both transports behind one fixture shape, for the transport contract and pipeline tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from services.registration.models import INFRA, metadata
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.events.consumer import Consumer, idempotent
from shared.events.envelope import CloudEvent
from shared.events.factory import open_sink, open_source
from shared.events.transport import EventSink, EventSource
from shared.migrate import upgrade
from shared.uow import UnitOfWork
from tests.support import infra

EFFECTS_DDL = ("CREATE TABLE effects ({seq}, key VARCHAR(100) NOT NULL, n INTEGER NOT NULL, "
               "event_id VARCHAR(64) NOT NULL)")
SEQ_COLUMN = {"postgresql": "seq BIGSERIAL PRIMARY KEY", "sqlite": "seq INTEGER PRIMARY KEY AUTOINCREMENT"}


@dataclass
class Pipeline:
    """A service context, its sink, and how to open sources, on one transport."""

    name: str
    settings: Settings
    ctx: ServiceContext

    def sink(self) -> EventSink:
        return open_sink(self.settings)

    def source(self, group: str, topics: list[str]) -> EventSource:
        return open_source(self.settings, group=group, topics=topics)

    def consumer(self, group: str, topic: str, *, handler: Callable[..., object] | None = None,
                 max_retries: int = 2) -> Consumer:
        return Consumer(group=group, source_factory=lambda: self.source(group, [topic]),
                        handler=handler or idempotent(self.ctx, group, record_effect),  # type: ignore[arg-type]
                        dlq_sink=self.sink(), max_retries=max_retries, retry_backoff=0.01)

    async def effects(self) -> list[tuple[str, int, str]]:
        async with self.ctx.sessions() as s:
            rows = (await s.execute(text("SELECT key, n, event_id FROM effects ORDER BY seq"))).all()
        return [(r[0], int(r[1]), r[2]) for r in rows]


async def record_effect(uow: UnitOfWork, event: CloudEvent) -> None:
    """A consumer effect that is easy to count: one row per handled event."""
    if event.data.get("pad") == "poison":
        from shared.events.consumer import Poison

        raise Poison("the test's poison message")
    await uow.session.execute(text("INSERT INTO effects (key, n, event_id) VALUES (:k, :n, :id)"),
                              {"k": event.data["key"], "n": event.data["n"], "id": event.id})


async def make_pipeline(kind: str, tmp: Path, *, database_url: str | None = None) -> Pipeline:
    """An embedded (SQLite + event log) or a distributed (PostgreSQL + Kafka) pipeline."""
    if kind == "embedded":
        settings = Settings(data_dir=tmp)
        url = settings.db_url("registration")
    else:
        settings = Settings(profile="distributed", jwt_secret="pipeline-test-secret-0123456789abcdef",  # type: ignore[arg-type]
                            kafka_bootstrap=infra.kafka_bootstrap(),
                            database_url=database_url or infra.new_database_template())
        url = settings.db_url("registration")
    await upgrade("registration", url)
    ctx = build_context("registration", settings, metadata, INFRA, url=url)
    async with ctx.engine.begin() as conn:
        await conn.execute(text(EFFECTS_DDL.format(seq=SEQ_COLUMN[ctx.engine.dialect.name])))
    return Pipeline(kind, settings, ctx)


def unique_topic() -> str:
    return f"cadre.test{uuid.uuid4().hex[:8]}.v1"
