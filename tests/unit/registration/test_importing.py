"""Reading import files and turning rows into records (no server)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from rich.console import Console

from cli.import_cmd import print_report, run_import
from services.registration.adapters.catalogue import HttpSchedulingCatalogue
from services.registration.adapters.import_files import official_from_row, parse_birth, read_csv, read_rows, read_xlsx
from shared.config import Settings
from shared.errors import Problem


def test_birth_formats() -> None:
    assert parse_birth("12/03/1975") == {"year": 1975, "month": 3, "day": 12}
    assert parse_birth("03/1975") == {"year": 1975, "month": 3, "day": None}
    assert parse_birth("1975") == {"year": 1975, "month": None, "day": None}
    assert parse_birth("1975-03-12") == {"year": 1975, "month": 3, "day": 12}
    with pytest.raises(ValueError):
        parse_birth("March 1975")


def test_row_errors_name_the_column() -> None:
    data, errors = official_from_row(7, {"personal_id": "001075012345", "full_name": "A", "gender": "x",
                                         "birth_date": "hôm qua", "category": "cán bộ"}, default_unit="DONGXOAI")
    assert data is None
    assert {(e.row, e.column) for e in errors} == {(7, "birth_date"), (7, "full_name"), (7, "gender")}
    ok, none = official_from_row(2, {"personal_id": "001075012345", "full_name": "Nguyễn Văn An", "gender": "Nam",
                                     "birth_date": "1975", "category": "Cán bộ", "ratings": "2024:HTTNV; 2025:HTNV"},
                                 default_unit="DONGXOAI")
    assert none == [] and ok is not None
    assert ok.category == "cadre" and ok.gender == "male" and ok.ratings == {"2024": "HTTNV", "2025": "HTNV"}


def test_csv_and_xlsx_rows_carry_file_row_numbers(tmp_path: Path) -> None:
    rows = list(read_csv("personal_id,full_name\n001075012345,Nguyễn Văn An\n001075012346,Lê Văn B\n"))
    assert [n for n, _ in rows] == [2, 3] and rows[0][1]["full_name"] == "Nguyễn Văn An"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["personal_id", "full_name"])
    ws.append(["001075012345", "Nguyễn Văn An"])
    ws.append([None, None])
    ws.append(["001075012346", "Lê Văn B"])
    buf = io.BytesIO()
    wb.save(buf)
    assert [n for n, _ in read_xlsx(buf.getvalue())] == [2, 4]
    path = tmp_path / "x.xlsx"
    path.write_bytes(buf.getvalue())
    assert [v["full_name"] for _, v in read_rows(path)] == ["Nguyễn Văn An", "Lê Văn B"]


def test_cli_posts_batches_and_prints_the_report(tmp_path: Path) -> None:
    path = tmp_path / "officials.csv"
    path.write_text("personal_id,full_name\n" + "".join(f"00107501{i:04d},Người {i}\n" for i in range(450)),
                    encoding="utf-8")
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        body = json.loads(request.content)
        seen.append(len(body["rows"]))
        assert body["unit_code"] == "DONGXOAI" and request.headers["authorization"] == "Bearer t"
        return httpx.Response(200, json={"created": len(body["rows"]), "updated": 0, "unchanged": 0,
                                         "rejected": 1, "errors": [{"row": body["rows"][0]["row"], "column": "gender",
                                                                    "code": "missing", "message_vi": "Thiếu",
                                                                    "message_en": "Missing"}]})

    console = Console(file=io.StringIO(), width=120)
    report = run_import(Settings(data_dir=tmp_path), "officials", path, unit="DONGXOAI", token="t", user=None,
                        console=console, transport=httpx.MockTransport(handler))
    assert seen == [200, 200, 50] and report["created"] == 450 and report["rejected"] == 3
    print_report(report, console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Dòng lỗi / rejected: 3" in out and "Thiếu" in out


async def test_catalogue_answers_503_when_scheduling_is_down(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    cat = HttpSchedulingCatalogue(Settings(data_dir=tmp_path), transport=httpx.MockTransport(down))
    with pytest.raises(Problem) as err:
        await cat.programme("CCLLCT")
    assert err.value.status == 503 and err.value.title_vi

    def ok(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer ")
        if request.url.path == "/programmes/CCLLCT":
            return httpx.Response(200, json={"code": "CCLLCT", "name": "Cao cấp", "mode": "full_time",
                                             "category": "political_theory.advanced", "hours": 1760,
                                             "target_criteria": {"max_age": 50}})
        if request.url.path == "/programmes":  # as scheduling lists them: programme versions in force
            return httpx.Response(200, json=[{"code": "CCLLCT", "name": "Cao cấp lý luận chính trị"}])
        if request.url.path == "/plans":
            return httpx.Response(200, json=[{"id": "p", "number": "1", "year": 2026, "items": [
                {"programme_code": "CCLLCT", "quota": 66, "allocations": {"DONGXOAI": 2}}]}])
        if request.url.path == "/classes/K7":
            return httpx.Response(200, json={"id": "K7", "code": "QP-7", "programme_code": "QPAN",
                                             "start_date": "2026-09-01", "end_date": "2026-09-30",
                                             "institution": "Trường Chính trị tỉnh", "venue": "Cơ sở 2",
                                             "hours": 96, "sessions": 24})
        if request.url.path == "/officials/o1/classes":
            return httpx.Response(200, json=[
                {"id": "e1", "enrolment_status": "enrolled", "class": {
                    "id": "K1", "code": "QP-1", "programme_code": "QPAN", "start_date": "2026-09-01",
                    "end_date": "2026-09-30", "status": "open"}},
                {"id": "e2", "enrolment_status": "withdrawn", "class": {
                    "id": "K2", "code": "QP-2", "programme_code": "QPAN", "start_date": "2026-10-01",
                    "end_date": "2026-10-30", "status": "open"}}])
        return httpx.Response(404, json={})

    cat = HttpSchedulingCatalogue(Settings(data_dir=tmp_path), transport=httpx.MockTransport(ok))
    prog = await cat.programme("CCLLCT")
    assert prog is not None and prog.target_criteria == {"max_age": 50}
    assert (await cat.plan_items(2026))[0].allocations == {"DONGXOAI": 2}
    assert await cat.class_("nope") is None
    assert await cat.programme_names() == {"CCLLCT": "Cao cấp lý luận chính trị"}
    held = await cat.class_("K7")  # where and by whom it is held, its timetable's hours
    assert held is not None and (held.institution, held.venue, held.hours) == ("Trường Chính trị tỉnh", "Cơ sở 2", 96)
    enrolled = await cat.official_classes("o1")
    assert [(c.id, c.start_date) for c in enrolled] == [("K1", date(2026, 9, 1))]
