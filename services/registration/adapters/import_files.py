"""Import files (CSV, XLSX) of units and officials: reading rows, and turning each row into a validated record."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from services.registration.schemas import OfficialCreate, RowError, UnitCreate
from shared.errors import validation_problem
from shared.exports import unquote_imported

OFFICIAL_COLUMNS = ("personal_id", "full_name", "gender", "birth_date", "unit_code", "category", "position", "title",
                    "civil_service_rank", "education", "political_theory", "party_join_date", "service_start",
                    "ratings", "position_level")
UNIT_COLUMNS = ("code", "name", "kind", "parent_code")
_GENDER = {"nam": "male", "nữ": "female", "nu": "female", "male": "male", "female": "female"}
_CATEGORY = {"cán bộ": "cadre", "công chức": "civil_servant", "viên chức": "public_employee"}


def _text(value: Any) -> str:
    """A cell as text; a CSV export's neutralised ``'=…`` reads back as ``=…`` (shared.exports)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unquote_imported(str(value).strip())


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as seen in the file, values by header) of a CSV or XLSX file; the header is row 1."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from read_xlsx(path.read_bytes())
    else:
        yield from read_csv(path.read_text(encoding="utf-8-sig"))


def read_csv(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV text with a header line."""
    reader = csv.DictReader(io.StringIO(text))
    for number, row in enumerate(reader, start=2):
        yield number, {str(k).strip(): _text(v) for k, v in row.items() if k}


def read_xlsx(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of the first sheet of an XLSX workbook with a header row."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [_text(h) for h in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            yield number, {h: _text(v) for h, v in zip(header, values, strict=False) if h}
    finally:
        wb.close()


def _row_error(row: int, column: str, code: str, en: str, vi: str) -> RowError:
    return RowError(row=row, column=column, code=code, message_en=en, message_vi=vi)


def parse_birth(text: str) -> dict[str, int | None]:
    """dd/mm/yyyy, mm/yyyy, yyyy or yyyy-mm-dd → {year, month, day} (range checks happen later)."""
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        return {"year": int(m[3]), "month": int(m[2]), "day": int(m[1])}
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        return {"year": int(m[2]), "month": int(m[1]), "day": None}
    if m := re.fullmatch(r"(\d{4})", text):
        return {"year": int(m[1]), "month": None, "day": None}
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return {"year": int(m[1]), "month": int(m[2]), "day": int(m[3])}
    raise ValueError(text)


def _date_text(text: str) -> str:
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    return text


def column_of(field_name: str) -> str:
    head = field_name.split(".")[0]
    return "birth_date" if head == "birth" else head


def _validated(model: type[BaseModel], payload: dict[str, Any], row: int) -> tuple[Any, list[RowError]]:
    try:
        return model.model_validate(payload), []
    except ValidationError as exc:
        problem = validation_problem(RequestValidationError(exc.errors()))
        return None, [_row_error(row, column_of(e.field), e.code, e.message_en, e.message_vi)
                      for e in problem.errors]


def official_from_row(row: int, values: dict[str, Any], *, default_unit: str | None = None,
                      ) -> tuple[OfficialCreate | None, list[RowError]]:
    """Turn one row into an OfficialCreate, or say what is wrong with each column."""
    v = {k: _text(val) for k, val in values.items()}
    errors: list[RowError] = []
    payload: dict[str, Any] = {"personal_id": v.get("personal_id", ""), "full_name": v.get("full_name", ""),
                               "unit_code": v.get("unit_code") or default_unit or ""}
    gender = v.get("gender", "").casefold()
    payload["gender"] = _GENDER.get(gender, gender)
    category = v.get("category", "")
    payload["category"] = _CATEGORY.get(category.casefold(), category)
    try:
        payload["birth"] = parse_birth(v.get("birth_date", ""))
    except ValueError:
        errors.append(_row_error(row, "birth_date", "birth_date_format",
                                 "Birth date must be dd/mm/yyyy, mm/yyyy or yyyy",
                                 "Ngày sinh phải có dạng dd/mm/yyyy, mm/yyyy hoặc yyyy"))
        payload["birth"] = {"year": 1970}
    for name in ("position", "title", "civil_service_rank", "education", "position_level"):
        if v.get(name):
            payload[name] = v[name]
    payload["political_theory"] = v.get("political_theory") or "none"
    for name in ("party_join_date", "service_start"):
        if v.get(name):
            payload[name] = _date_text(v[name])
    if v.get("ratings"):
        try:
            payload["ratings"] = dict(item.split(":", 1) for item in v["ratings"].replace(",", ";").split(";")
                                      if item.strip())
            payload["ratings"] = {k.strip(): r.strip() for k, r in payload["ratings"].items()}
        except ValueError:
            errors.append(_row_error(row, "ratings", "ratings_format", "Ratings must be like 2024:HTTNV;2025:HTNV",
                                     "Xếp loại phải có dạng 2024:HTTNV;2025:HTNV"))
    model, more = _validated(OfficialCreate, payload, row)
    errors.extend(more)
    return (model if not errors else None), errors


def unit_from_row(row: int, values: dict[str, Any]) -> tuple[UnitCreate | None, list[RowError]]:
    """Turn one row into a UnitCreate, or say what is wrong with each column."""
    payload = {k: _text(values.get(k)) or None for k in UNIT_COLUMNS}
    model, errors = _validated(UnitCreate, payload, row)
    return model, errors
