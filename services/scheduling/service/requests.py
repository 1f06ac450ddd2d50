"""Enrolment requests: approved registrations and selected candidates, placed in a class at once when the event
names one (and the class takes them), otherwise kept pending for the Organization Board to place."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from services.scheduling.models import EnrolmentRequest
from services.scheduling.service.class_store import SYSTEM, utcnow
from services.scheduling.service.enrolment import enrol, refusal_text
from shared.audit import Actor, AuditEntry
from shared.errors import Problem, conflict, not_found
from shared.uow import UnitOfWork

PENDING, PLACED = "pending", "placed"


async def request_enrolment(uow: UnitOfWork, *, event_id: str, source: str, source_ref: str | None,
                            official_id: str, official_name: str, unit_code: str, programme_code: str | None,
                            plan_year: int | None, class_id: str | None) -> EnrolmentRequest:
    """Record the request and try the class it names; a refusal keeps it pending with the reason."""
    req = EnrolmentRequest(id=str(uuid.uuid4()), source_event_id=event_id, source=source, source_ref=source_ref,
                           official_id=official_id, official_name=official_name, unit_code=unit_code,
                           programme_code=programme_code, plan_year=plan_year, class_id=class_id, status=PENDING,
                           reason_en="", reason_vi="", enrolment_id=None, created_at=utcnow())
    uow.session.add(req)
    await uow.session.flush()
    if class_id:
        try:
            async with uow.session.begin_nested():
                row = await enrol(uow, class_id=class_id, official_id=official_id, official_name=official_name,
                                  unit_code=unit_code, source=source, source_ref=source_ref, actor=SYSTEM)
            req.status, req.enrolment_id = PLACED, row.id
        except Problem as exc:
            req.reason_en, req.reason_vi = refusal_text(exc)
    uow.emit("EnrolmentRequested", subject=req.id, data={
        "request_id": req.id, "source": source, "official_id": official_id, "unit_code": unit_code,
        "programme_code": programme_code, "plan_year": plan_year, "class_id": class_id, "status": req.status,
        "reason_en": req.reason_en or None})
    uow.audit(AuditEntry(
        actor=SYSTEM, action=f"enrolment_request.{req.status}", subject=f"enrolment_request:{req.id}",
        reason_vi="Yêu cầu ghi danh từ " + ("đăng ký đã duyệt" if source == "registration" else "quyết định chọn nguồn")
                  + (f": {req.reason_vi}" if req.reason_vi else ""),
        reason_en=f"Enrolment request from {source}" + (f": {req.reason_en}" if req.reason_en else ""),
        inputs={"event_id": event_id, "source_ref": source_ref, "official_id": official_id, "class_id": class_id,
                "programme_code": programme_code, "plan_year": plan_year}))
    return req


async def place_request(uow: UnitOfWork, *, request_id: str, class_id: str, actor: Actor) -> EnrolmentRequest:
    """The Organization Board places a pending request in a class."""
    req = await uow.session.get(EnrolmentRequest, request_id)
    if req is None:
        raise not_found("Enrolment request", "yêu cầu ghi danh", request_id)
    if req.status != PENDING:
        raise conflict("request_not_pending", "This request was already placed", "Yêu cầu này đã được xếp lớp",
                       field_name="request_id")
    row = await enrol(uow, class_id=class_id, official_id=req.official_id, official_name=req.official_name,
                      unit_code=req.unit_code, source=req.source, source_ref=req.source_ref, actor=actor)
    req.status, req.enrolment_id, req.class_id = PLACED, row.id, class_id
    uow.audit(AuditEntry(actor=actor, action="enrolment_request.placed", subject=f"enrolment_request:{req.id}",
                         reason_vi="Ban Tổ chức xếp lớp cho yêu cầu ghi danh",
                         reason_en="The Organization Board placed the request in a class",
                         inputs={"class_id": class_id, "enrolment_id": row.id}))
    return req


async def list_requests(uow_session: Any, *, programme_code: str | None, year: int | None,
                        status: str | None) -> list[EnrolmentRequest]:
    """Requests, oldest first, filtered."""
    q = select(EnrolmentRequest).order_by(EnrolmentRequest.created_at)
    if programme_code:
        q = q.where(EnrolmentRequest.programme_code == programme_code)
    if year:
        q = q.where(EnrolmentRequest.plan_year == year)
    if status:
        q = q.where(EnrolmentRequest.status == status)
    return list((await uow_session.execute(q)).scalars().all())


def request_doc(r: EnrolmentRequest) -> dict[str, Any]:
    """A request as the API returns it."""
    return {"id": r.id, "source": r.source, "source_ref": r.source_ref, "official_id": r.official_id,
            "official_name": r.official_name, "unit_code": r.unit_code, "programme_code": r.programme_code,
            "plan_year": r.plan_year, "class_id": r.class_id, "status": r.status, "reason_en": r.reason_en,
            "reason_vi": r.reason_vi, "enrolment_id": r.enrolment_id, "created_at": r.created_at.isoformat()}
