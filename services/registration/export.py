"""Export of any list to XLSX (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(sheet: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a header row and the given rows."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append(list(columns))
    for row in rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return str(value)
    return value


def xlsx_response(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """An XLSX download."""
    return Response(xlsx_bytes(name, columns, rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
