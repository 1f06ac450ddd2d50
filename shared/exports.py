"""Spreadsheet exports (XLSX, CSV) that carry text, never formulas, and no control characters.

A value a user typed (a unit's name, an official's position) can start with ``=``, ``+``, ``-`` or ``@``: a
spreadsheet would run it as a formula (``=HYPERLINK(...)`` sends a click to anyone's server). Every exported cell
is therefore written as text:

- XLSX: a string cell (``inlineStr``) with the quote-prefix style, so it is shown, edited and re-saved as text, and
  reads back unchanged (re-importing an export gives the same records);
- CSV: a value starting with one of those characters gets a leading apostrophe (OWASP's advice), which
  ``unquote_imported`` removes again on import.

Control characters (C0 but tab, newline and carriage return; C1) are stripped: XLSX cannot carry them (openpyxl
raises, which made every later export a 500) and no name needs them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

FORMULA_START = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def strip_control(text: str) -> str:
    """The text without control characters (tab, newline and carriage return are kept) or lone surrogates."""
    return _SURROGATE.sub("", _CONTROL.sub("", text))


def has_control(text: str) -> bool:
    """Whether the text holds a character ``strip_control`` would remove (input validation refuses those)."""
    return bool(_CONTROL.search(text) or _SURROGATE.search(text))


def refuse_control(value: str) -> str:
    """A validator: a name with a control character is refused (422) instead of stored."""
    if has_control(value):
        raise PydanticCustomError("control_character", "must not contain control characters",
                                  {"message_vi": "Không được chứa ký tự điều khiển"})
    return value


PlainText = Annotated[str, AfterValidator(refuse_control)]


def _plain(value: Any) -> Any:
    """A cell's value: numbers, booleans and dates as they are; anything else as clean text; None stays empty."""
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return value
    if isinstance(value, dict | list):
        value = str(value)
    return strip_control(str(value))


def xlsx_bytes(sheet: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a header row and the given rows, every string a text cell."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(strip_control(sheet)[:31] or "Sheet")
    ws.append([text_cell(ws, c) for c in columns])
    for row in rows:
        ws.append([text_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def text_cell(ws: Any, value: Any) -> Any:
    """A write-only cell holding the value; a string is a text cell (never a formula), quote-prefixed when it
    starts like one."""
    from openpyxl.cell import WriteOnlyCell

    plain = _plain(value)
    if not isinstance(plain, str):
        return plain
    cell = WriteOnlyCell(ws, value=plain)
    cell.data_type = "s"
    if plain.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def set_text(cell: Any, value: Any) -> None:
    """Write a value into a normal (not write-only) worksheet's cell the same way as ``text_cell``."""
    plain = _plain(value)
    cell.value = plain
    if isinstance(plain, str):
        cell.data_type = "s"
        if plain.startswith(FORMULA_START):
            cell.quotePrefix = True


def append_text(ws: Any, values: Sequence[Any]) -> None:
    """Append a (non-empty) row to a normal worksheet, every string a text cell."""
    ws.append([_plain(v) for v in values])
    for cell in ws[ws.max_row]:
        set_text(cell, cell.value)


def csv_value(value: Any) -> str:
    """A CSV field: clean text, an apostrophe before a leading ``=``, ``+``, ``-`` or ``@``."""
    plain = _plain(value)
    if plain is None:
        return ""
    if not isinstance(plain, str):  # a number (-5 is a number, not a formula), a date, a boolean
        return plain.isoformat() if isinstance(plain, date | datetime) else str(plain)
    return "'" + plain if plain.startswith(FORMULA_START) else plain


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document with a header line (every field through ``csv_value``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_value(c) for c in columns])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return out.getvalue()


def unquote_imported(text: str) -> str:
    """An imported field as it was before ``csv_value`` neutralised it (``'=x`` → ``=x``)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text
