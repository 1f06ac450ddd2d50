"""Officials' routes: record, dossier (reads recorded), search, import, export, dossier-read log."""

from __future__ import annotations

import zipfile
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.registration.adapters.export import table_response
from services.registration.adapters.import_files import read_csv, read_xlsx
from services.registration.deps import scope_units, today
from services.registration.models import DossierRead, Official
from services.registration.schemas import (
    DossierReadEntry,
    ImportBatch,
    ImportReport,
    ImportRow,
    OfficialCreate,
    OfficialDossier,
    OfficialSummary,
)
from services.registration.service import imports, officials, planning
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed, authorize, authorize_move
from shared.context import ctx_of
from shared.errors import conflict, invalid, not_found
from shared.uow import unit_of_work
from shared.web import MAX_OFFSET

router = APIRouter(tags=["officials"])


@router.post("/officials", response_model=OfficialSummary, status_code=201)
async def put_official(body: OfficialCreate, request: Request, response: Response,
                       principal: Annotated[Principal, Depends(allowed("official.write"))]) -> OfficialSummary:
    """Record an official (upsert by personal id): 201 created, 200 updated or unchanged."""
    authorize(principal, "official.write", unit=body.unit_code)
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            errors = await officials.check_official(uow.session, body, today=today())
            if errors:
                raise officials.invalid_official(errors)
            existing = (await uow.session.execute(select(Official.unit_code).where(
                Official.personal_id == body.personal_id.strip()))).first()
            if existing is not None:
                authorize_move(principal, "official.write", current_unit=existing[0], new_unit=body.unit_code)
            official, outcome = await officials.upsert_official(uow, data=body, actor=actor_of(principal),
                                                                today=today())
    except IntegrityError as exc:
        raise conflict("duplicate_personal_id", "An official with this personal id was just recorded",
                       "Vừa có hồ sơ khác với số định danh này", field_name="personal_id") from exc
    if outcome != "created":
        response.status_code = 200
    return officials.summary(official, today=today())


@router.get("/officials", response_model=None)
async def list_officials(
    request: Request, principal: Annotated[Principal, Depends(allowed("official.read"))],
    q: Annotated[str | None, Query(max_length=200)] = None,
    unit: Annotated[str | None, Query(pattern=r"^[A-Z0-9_-]{2,40}$")] = None,
    category: Literal["cadre", "civil_servant", "public_employee"] | None = None,
    education: Literal["college", "bachelor", "master", "doctorate"] | None = None,
    political_theory: Literal["none", "elementary", "intermediate", "advanced"] | None = None,
    gender: Literal["male", "female"] | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    format: Literal["json", "xlsx", "csv"] = "json",
) -> list[OfficialSummary] | Response:
    """Search by name ignoring diacritics and case, by unit and attributes; Vietnamese order; XLSX on request."""
    units = scope_units(principal, unit)
    async with ctx_of(request).read_sessions() as session:
        found = await officials.search(session, q=q, units=units, limit=limit, offset=offset, filters={
            "category": category, "education": education, "political_theory": political_theory, "gender": gender})
    rows = [officials.summary(o, today=today()) for o in found]
    if format != "json":
        cols = ("personal_id_masked", "full_name", "gender", "unit_code", "category", "position", "title",
                "education", "political_theory", "age")
        return table_response(format, "officials", cols, ([getattr(r, c) for c in cols] for r in rows))
    return rows


@router.get("/planning/structure")
async def planning_structure(request: Request, principal: Annotated[Principal, Depends(allowed("report.read"))],
                             on: date | None = None) -> dict[str, Any]:
    """People in planning on a day (today by default): young and women shares against the planning targets."""
    async with ctx_of(request).read_sessions() as session:
        return await planning.planning_structure(session, on=on or today())


@router.get("/officials/{official_id}", response_model=OfficialDossier)
async def get_dossier(official_id: UUID, request: Request,
                      principal: Annotated[Principal, Depends(allowed("official.read"))]) -> OfficialDossier:
    """The dossier, with age and retirement date; the read is recorded (who, when, which official)."""
    async with unit_of_work(ctx_of(request)) as uow:
        official = await uow.session.get(Official, str(official_id))
        if official is None or not principal.covers_unit(official.unit_code):
            raise not_found("Official", "cán bộ", official_id)
        await officials.record_read(uow, official_id=official.id, principal=principal)
        return await officials.dossier(uow.session, official, today=today(),
                                       show_personal_id=not principal.has_role("service"))


@router.get("/officials/{official_id}/reads", response_model=list[DossierReadEntry])
async def official_reads(official_id: UUID, request: Request,
                         principal: Annotated[Principal, Depends(allowed("dossier_read.read"))],
                         ) -> list[DossierReadEntry]:
    """Who read this dossier, newest first (auditors)."""
    return await _reads(request, official_id=str(official_id), reader_id=None)


@router.get("/dossier-reads", response_model=list[DossierReadEntry])
async def dossier_reads(request: Request, principal: Annotated[Principal, Depends(allowed("dossier_read.read"))],
                        official_id: UUID | None = None,
                        reader_id: Annotated[str | None, Query(max_length=120)] = None) -> list[DossierReadEntry]:
    """The dossier-read log, filtered by official and/or reader (auditors)."""
    return await _reads(request, official_id=str(official_id) if official_id else None, reader_id=reader_id)


async def _reads(request: Request, *, official_id: str | None, reader_id: str | None) -> list[DossierReadEntry]:
    query = select(DossierRead).order_by(DossierRead.read_at.desc()).limit(1000)
    if official_id:
        query = query.where(DossierRead.official_id == official_id)
    if reader_id:
        query = query.where(DossierRead.reader_id == reader_id)
    async with ctx_of(request).read_sessions() as session:
        rows = (await session.execute(query)).scalars().all()
    return [DossierReadEntry(official_id=r.official_id, reader_id=r.reader_id, reader_roles=r.reader_roles,
                             read_at=r.read_at.isoformat()) for r in rows]


async def _import(request: Request, principal: Principal, rows: list[ImportRow], unit: str | None) -> ImportReport:
    if unit is not None:
        authorize(principal, "official.import", unit=unit)
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            return await imports.import_officials(uow, rows=rows, default_unit=unit, actor=actor_of(principal),
                                                  today=today(), principal=principal)
    except IntegrityError as exc:
        raise conflict("import_race", "Another import recorded the same officials at the same time; retry",
                       "Một lượt nhập khác vừa ghi cùng hồ sơ; vui lòng thử lại") from exc


@router.post("/officials/import", response_model=ImportReport)
async def import_batch(body: ImportBatch, request: Request,
                       principal: Annotated[Principal, Depends(allowed("official.import"))]) -> ImportReport:
    """Import a batch of rows (as read from a CSV/XLSX file by the client): upsert valid rows, report bad ones."""
    return await _import(request, principal, body.rows, body.unit_code)


@router.post("/officials/import/file", response_model=ImportReport)
async def import_file(request: Request, principal: Annotated[Principal, Depends(allowed("official.import"))],
                      file: Annotated[UploadFile, File()],
                      unit: Annotated[str | None, Query(pattern=r"^[A-Z0-9_-]{2,40}$")] = None) -> ImportReport:
    """Import a whole CSV or XLSX file (≤ 10 MB)."""
    data = await file.read(10 * 1024 * 1024 + 1)
    if len(data) > 10 * 1024 * 1024:
        raise invalid("file", "file_too_large", "The file is larger than 10 MB", "Tệp lớn hơn 10 MB")
    name = (file.filename or "").lower()
    try:
        parsed = read_xlsx(data) if name.endswith(".xlsx") else read_csv(data.decode("utf-8-sig"))
        rows = [ImportRow(row=n, values=v) for n, v in parsed]
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise invalid("file", "file_unreadable", "The file is not a readable CSV or XLSX file",
                      "Tệp không phải CSV hoặc XLSX đọc được") from exc
    return await _import(request, principal, rows, unit)
