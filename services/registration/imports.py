"""Import use cases: validate every row, upsert the valid ones (by personal id / unit code), report the bad ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from services.registration import service
from services.registration.importing import column_of, official_from_row, unit_from_row
from services.registration.models import Unit
from services.registration.official_schemas import ImportReport, ImportRow, RowError
from services.registration.officials import check_official, upsert_official
from shared.audit import Actor, AuditEntry
from shared.errors import Problem
from shared.uow import UnitOfWork


async def import_officials(uow: UnitOfWork, *, rows: list[ImportRow], default_unit: str | None, actor: Actor,
                           today: date, allowed_unit: Any) -> ImportReport:
    """Upsert each valid row; a re-import of the same rows reports them all unchanged."""
    report = ImportReport()
    for item in rows:
        data, errors = official_from_row(item.row, item.values, default_unit=default_unit)
        if data is not None:
            errors = [RowError(row=item.row, column=column_of(e.field), code=e.code, message_en=e.message_en,
                               message_vi=e.message_vi)
                      for e in await check_official(uow.session, data, today=today)]
        if data is not None and not errors and not allowed_unit(data.unit_code):
            errors = [RowError(row=item.row, column="unit_code", code="unit_out_of_scope",
                               message_en=f"Unit {data.unit_code} is outside your scope",
                               message_vi=f"Đơn vị {data.unit_code} nằm ngoài phạm vi của bạn")]
        if errors or data is None:
            report.rejected += 1
            report.errors.extend(errors)
            continue
        _, outcome = await upsert_official(uow, data=data, actor=actor, today=today, audit=False)
        setattr(report, outcome, getattr(report, outcome) + 1)
    if report.created or report.updated:
        await uow.audit(AuditEntry(
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
