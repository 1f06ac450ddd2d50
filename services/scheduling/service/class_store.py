"""Helpers shared by scheduling's use cases: actors, clock, loading a class under lock, status changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.scheduling.domain.lifecycle import can_transition
from services.scheduling.domain.roster import RosterError
from services.scheduling.models import CourseClass
from shared.audit import Actor
from shared.errors import Problem, conflict, not_found
from shared.metrics import CLASS_TRANSITIONS
from shared.timestamps import as_utc
from shared.uow import UnitOfWork

SYSTEM = Actor(user_id="svc.scheduling", role="service")


def utcnow() -> datetime:
    """The current time (UTC)."""
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """A stored timestamp as timezone-aware UTC (SQLite drops the zone)."""
    if value is None:
        return None
    return as_utc(value)


async def load_class(uow: UnitOfWork, class_id: str, *, lock: bool = True,
                     field_name: str | None = None) -> CourseClass:
    """A class, locked against concurrent seat changes (PostgreSQL row lock; SQLite serialises writers)."""
    query = select(CourseClass).where(CourseClass.id == class_id)
    if lock:
        query = query.with_for_update()
    found = (await uow.session.execute(query)).scalar_one_or_none()
    if found is None:
        if field_name:
            raise Problem(422, "validation_failed", "The request is not valid", "Yêu cầu không hợp lệ",
                          f"Class {class_id} does not exist", f"Lớp {class_id} không tồn tại",
                          [_field(field_name, "unknown_class", f"Class {class_id} does not exist",
                                  f"Lớp {class_id} không tồn tại")])
        raise not_found("Class", "lớp", class_id)
    return found


def _field(name: str, code: str, en: str, vi: str) -> Any:
    from shared.errors import FieldError

    return FieldError(name, code, en, vi)


def roster_problem(exc: RosterError, field_name: str = "official_id") -> Problem:
    """A roster refusal as a 409 naming the field."""
    return conflict(exc.code, exc.en, exc.vi, field_name=field_name)


def set_status(cls: CourseClass, new: str) -> str:
    """Move a class to a new status (the status machine decides); returns the old one."""
    old = cls.status
    if old == new:
        return old
    if not can_transition(old, new):
        raise conflict("bad_transition", f"A {old} class cannot become {new}",
                       f"Lớp đang ở trạng thái {old} không thể chuyển sang {new}", field_name="status")
    cls.status = new
    CLASS_TRANSITIONS.labels(new).inc()
    return old


def class_ref(cls: CourseClass) -> dict[str, Any]:
    """The common part of a class's event data."""
    return {"class_id": cls.id, "class_code": cls.code, "programme_code": cls.programme_code}
