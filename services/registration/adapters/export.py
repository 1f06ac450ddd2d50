"""Export of any list to XLSX or CSV: text cells only (shared.exports), never a formula."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response

from shared.exports import csv_text, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = ["XLSX", "csv_response", "table_response", "xlsx_bytes", "xlsx_response"]


def xlsx_response(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """An XLSX download."""
    return Response(xlsx_bytes(name, columns, rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


def csv_response(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheets read the Vietnamese letters)."""
    return Response(("\ufeff" + csv_text(columns, rows)).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def table_response(fmt: str, name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """The XLSX or CSV download of a list."""
    return (csv_response if fmt == "csv" else xlsx_response)(name, columns, rows)
