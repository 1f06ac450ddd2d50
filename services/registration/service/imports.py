"""Import use cases: validate every row, upsert the valid ones (by personal id / unit code), report the bad ones."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.registration.adapters.import_files import column_of, official_from_row, unit_from_row
from services.registration.models import Unit
from services.registration.schemas import ImportReport, ImportRow, OfficialCreate, RowError
from services.registration.service import units as service
from services.registration.service.officials import Known, check_official, upsert_official
from shared.audit import Actor, AuditEntry
from shared.auth import Principal
from shared.authz import authorize_move
from shared.errors import Problem
from shared.uow import UnitOfWork


def _scope_errors(row: int, data: OfficialCreate, principal: Principal, known: Known) -> list[RowError]:
    """The row's unit and, for a known personal id, the unit holding it now must both be in the caller's scope
    (shared.authz.authorize_move); the refusal for the holding unit does not name it."""
    holder = known.officials.get(data.personal_id.strip())
    current = holder.unit_code if holder is not None else None
    try:
        authorize_move(principal, "official.import", current_unit=current, new_unit=data.unit_code)
    except Problem as refusal:
        out_of_unit = not principal.covers_unit(data.unit_code)
        return [RowError(row=row, column="unit_code" if out_of_unit else "personal_id",
                         code="unit_out_of_scope" if out_of_unit else "record_out_of_scope",
                         message_en=refusal.detail_en, message_vi=refusal.detail_vi)]
    return []


async def import_officials(uow: UnitOfWork, *, rows: list[ImportRow], default_unit: str | None, actor: Actor,
                           today: date, principal: Principal) -> ImportReport:
    """Upsert each valid row; a re-import of the same rows reports them all unchanged. A row whose unit, or
    whose existing record's unit, is outside the caller's scope is rejected (never moved, never renamed)."""
    report = ImportReport()
    parsed = [(item, *official_from_row(item.row, item.values, default_unit=default_unit)) for item in rows]
    # the units and the batch's existing records are read once, not once a row; the rows are written in one flush
    known = await Known.of(uow.session, sorted({d.personal_id.strip() for _, d, _ in parsed if d is not None}))
    for item, data, errors in parsed:
        if data is not None:
            errors = [RowError(row=item.row, column=column_of(e.field), code=e.code, message_en=e.message_en,
                               message_vi=e.message_vi)
                      for e in await check_official(uow.session, data, today=today, known=known)]
        if data is not None and not errors:
            errors = _scope_errors(item.row, data, principal, known)
        if errors or data is None:
            report.rejected += 1
            report.errors.extend(errors)
            continue
        _, outcome = await upsert_official(uow, data=data, actor=actor, today=today, audit=False, known=known)
        setattr(report, outcome, getattr(report, outcome) + 1)
    await uow.session.flush()
    if report.created or report.updated:
        uow.audit(AuditEntry(
            actor=actor, action="official.import", subject=f"import:{actor.user_id}",
            reason_vi=f"Nhập hồ sơ: {report.created} mới, {report.updated} cập nhật, {report.rejected} dòng lỗi",
            reason_en=f"Officials imported: {report.created} created, {report.updated} updated, "
                      f"{report.rejected} rows rejected",
            inputs={"rows": [r.row for r in rows], "created": report.created, "updated": report.updated,
                    "unchanged": report.unchanged, "rejected": report.rejected}))
    return report


async def import_units(uow: UnitOfWork, *, rows: list[ImportRow], actor: Actor) -> ImportReport:
    """Create the units not yet known (by code); known codes with the same data are unchanged."""
    report = ImportReport()
    for item in rows:
        data, errors = unit_from_row(item.row, item.values)
        if data is None:
            report.rejected += 1
            report.errors.extend(errors)
            continue
        found = (await uow.session.execute(select(Unit).where(Unit.code == data.code))).scalar_one_or_none()
        if found is not None:
            if (found.name, found.kind, found.parent_code) == (data.name, data.kind.value, data.parent_code):
                report.unchanged += 1
            else:
                report.rejected += 1
                report.errors.append(RowError(row=item.row, column="name", code="unit_differs",
                                              message_en="The unit exists with other data; use a reorganisation",
                                              message_vi="Đơn vị đã có với dữ liệu khác; hãy dùng sắp xếp lại"))
            continue
        try:
            await service.create_unit(uow, data=data, actor=actor)
        except Problem as exc:
            report.rejected += 1
            report.errors.extend(RowError(row=item.row, column=e.field, code=e.code, message_en=e.message_en,
                                          message_vi=e.message_vi) for e in exc.errors)
            continue
        report.created += 1
    return report
