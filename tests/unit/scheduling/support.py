"""Scheduling on a throwaway SQLite database, and seed helpers, for unit and workflow tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from services.scheduling.models import INFRA, metadata
from services.scheduling.schemas import ClassCreate, ProgrammeCreate
from services.scheduling.service import classes, enrolment, programmes
from shared.audit import Actor
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.uow import unit_of_work

BOARD = Actor(user_id="btc.nguyen", role="organization_board")


async def scheduling_context(tmp: Path) -> ServiceContext:
    """Scheduling's tables on a fresh SQLite file."""
    ctx = build_context("scheduling", Settings(data_dir=tmp), metadata, INFRA)
    async with ctx.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return ctx


async def seed_programme(ctx: ServiceContext, code: str = "LLCT-TC", **over: Any) -> None:
    """An intermediate political theory programme, in force since 2020."""
    data = {"code": code, "name": "Trung cấp lý luận chính trị - hành chính",
            "category": "political_theory.intermediate",
            "mode": "part_time", "hours": 880, "provider": "Trường Chính trị tỉnh", "effective_from": "2020-01-01",
            **over}
    async with unit_of_work(ctx) as uow:
        await programmes.create_programme(uow, data=ProgrammeCreate.model_validate(data), actor=BOARD)


async def seed_class(ctx: ServiceContext, *, code: str, today: date, capacity: int = 5, target: int = 3,
                     programme: str = "LLCT-TC", deadline_in: int = 14, start_in: int = 21,
                     length: int = 90) -> str:
    """A class whose enrolment closes in two weeks and which runs three months, with three sessions."""
    start = today + timedelta(days=start_in)
    end = start + timedelta(days=length)
    body = ClassCreate.model_validate({
        "code": code, "programme_code": programme, "institution": "Trường Chính trị tỉnh Đồng Nai",
        "venue": "Hội trường A", "start_date": start.isoformat(), "end_date": end.isoformat(),
        "capacity": capacity, "target": target, "enrolment_deadline": (today + timedelta(days=deadline_in)).isoformat(),
        "sessions": [{"day": (start + timedelta(days=d)).isoformat(), "hours": 4, "topic": f"Chuyên đề {i + 1}"}
                     for i, d in enumerate((0, 30, 60))]})
    async with unit_of_work(ctx) as uow:
        cls = await classes.schedule_class(uow, data=body, actor=BOARD)
    return cls.id


async def enrol(ctx: ServiceContext, class_id: str, who: str, unit: str = "DONGXOAI") -> str:
    """Enrol one person; returns the status it got."""
    async with unit_of_work(ctx) as uow:
        row = await enrolment.enrol(uow, class_id=class_id, official_id=who, official_name=f"Nguyễn Văn {who}",
                                    unit_code=unit, source="board", actor=BOARD)
        return row.status


async def outbox_types(ctx: ServiceContext) -> list[str]:
    """Event types written to the outbox, in order."""
    async with ctx.sessions() as s:
        return list((await s.execute(select(ctx.tables.outbox.c.event_type)
                                     .order_by(ctx.tables.outbox.c.seq))).scalars().all())
