"""Units, officials, dossier reads, search, import and reorganisation through the API (SQLite, in process)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from services.registration.models import DossierRead, Official, OfficialUnitHistory
from tests.unit.registration.fakes import App, registration_app

BOARD = ["organization_board"]


def official(pid: str = "001075012345", name: str = "Nguyễn Văn An", **kw: Any) -> dict[str, Any]:
    # each test person is planned for a position of their own: QĐ 377 admits at most 3 people per position
    body: dict[str, Any] = {"personal_id": pid, "full_name": name, "gender": "male",
                            "birth": {"year": 1975, "month": 3, "day": 12}, "unit_code": "DONGXOAI",
                            "category": "civil_servant", "position": "Trưởng phòng", "education": "bachelor",
                            "position_level": "provincial_section_head",
                            "political_theory": "intermediate", "party_join_date": "2005-05-19",
                            "service_start": "1998-09-01", "ratings": {"2024": "HTTNV", "2025": "HTXSNV"},
                            "planning": [{"position": f"Phó Chủ tịch UBND ({pid[-4:]})", "term": "2026-2031"}],
                            "discipline": []}
    body.update(kw)
    return body


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with registration_app(tmp_path) as a:
        for code, name in (("DONGXOAI", "Thành phố Đồng Xoài"), ("BINHLONG", "Thị xã Bình Long")):
            r = await a.call("POST", "/units", BOARD, json={"code": code, "name": name, "kind": "district"})
            assert r.status_code == 201
        yield a


async def count(app: App, table: str) -> int:
    async with app.ctx.sessions() as s:
        return int((await s.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_dossier_has_derived_fields_and_every_read_is_recorded(app: App) -> None:
    created = await app.call("POST", "/officials", BOARD, json=official())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["personal_id_masked"] == "*********345" and "personal_id" not in body
    oid = body["id"]
    dossier = await app.call("GET", f"/officials/{oid}", ["unit_officer"], ["DONGXOAI"])
    assert dossier.status_code == 200
    d = dossier.json()
    assert d["personal_id"] == "001075012345" and d["in_planning"] is True
    # man born 03/1975: 62 years (744 months) → retirement month 03/2037, last day
    assert d["retirement_date"] == "2037-03-31" and d["retirement_policy_version"] == "retirement/decree-135-2020"
    assert d["age"] == date.today().year - 1975 - ((date.today().month, date.today().day) < (3, 12))
    assert d["ratings"] == {"2024": "HTTNV", "2025": "HTXSNV"} and d["birth"] == {"year": 1975, "month": 3, "day": 12}
    svc = (await app.call("GET", f"/officials/{oid}", ["service"])).json()
    assert svc["personal_id"] is None and svc["personal_id_masked"] == "*********345"
    other_unit = await app.call("GET", f"/officials/{oid}", ["unit_officer"], ["BINHLONG"])
    assert other_unit.status_code == 404
    async with app.ctx.sessions() as s:
        reads = (await s.execute(select(DossierRead.reader_id))).scalars().all()
    assert len(reads) == 2
    audit = await app.call("GET", f"/officials/{oid}/reads", ["auditor"])
    assert audit.status_code == 200 and len(audit.json()) == 2
    assert (await app.call("GET", f"/dossier-reads?official_id={oid}", ["auditor"])).json()[0]["official_id"] == oid
    assert (await app.call("GET", f"/officials/{oid}/reads", ["unit_officer"], ["DONGXOAI"])).status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"personal_id": "0010750123456"}, "personal_id"),  # 13 digits
    ({"personal_id": "00107501234A"}, "personal_id"),
    ({"personal_id": "001080012345"}, "personal_id"),  # encodes 1980, born 1975
    ({"birth": {"year": 1975, "month": 2, "day": 30}}, "birth"),  # impossible date
    ({"birth": {"year": date.today().year, "month": 12, "day": 31}, "personal_id": "001026012345"}, "birth"),
    ({"unit_code": "NOWHERE"}, "unit_code"),
    ({"party_join_date": "2005-02-30"}, "party_join_date"),
    ({"gender": "other"}, "gender"),
])
async def test_bad_input_names_the_field_in_both_languages_and_writes_nothing(
        app: App, change: dict[str, Any], field: str) -> None:
    if field == "birth" and "personal_id" in change and date.today() >= date(date.today().year, 12, 31):
        pytest.fail("this case needs a birth date after today")
    before = (await count(app, "officials"), await count(app, "audit_log"), await count(app, "outbox"))
    resp = await app.call("POST", "/officials", BOARD, json=official(**change))
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    errors = resp.json()["errors"]
    assert field in {e["field"].split(".")[0] for e in errors}
    assert all(e["message_vi"] and e["message_en"] for e in errors)
    after = (await count(app, "officials"), await count(app, "audit_log"), await count(app, "outbox"))
    assert after == before


async def test_malformed_official_id_is_a_422(app: App) -> None:
    resp = await app.call("GET", "/officials/not-a-uuid", BOARD)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "official_id"


async def test_upsert_by_personal_id_changes_nothing_twice(app: App) -> None:
    assert (await app.call("POST", "/officials", BOARD, json=official())).status_code == 201
    audits = await count(app, "audit_log")
    again = await app.call("POST", "/officials", BOARD, json=official())
    assert again.status_code == 200 and await count(app, "audit_log") == audits
    moved = await app.call("POST", "/officials", BOARD, json=official(unit_code="BINHLONG"))
    assert moved.status_code == 200 and moved.json()["unit_code"] == "BINHLONG"
    assert await count(app, "officials") == 1
    async with app.ctx.sessions() as s:
        history = (await s.execute(select(OfficialUnitHistory.unit_code, OfficialUnitHistory.valid_to)
                                   .order_by(OfficialUnitHistory.valid_from, OfficialUnitHistory.valid_to.desc())
                                   )).all()
    assert [h[0] for h in history] == ["DONGXOAI", "BINHLONG"] and history[1][1] is None
    officer = await app.call("POST", "/officials", ["unit_officer"], ["DONGXOAI"], json=official(pid="001085000111",
                             birth={"year": 1985}, unit_code="BINHLONG"))
    assert officer.status_code == 403


async def test_search_folds_diacritics_and_sorts_in_vietnamese_order(app: App) -> None:
    people = [("001075012345", "Nguyễn Văn An"), ("001076000222", "Trần Văn Ấn"), ("001077000333", "Lê Thị Bình"),
              ("001078000444", "Đặng Văn An"), ("001079000555", "Nguyen Van Anh")]
    for pid, name in people:
        yr = 1900 + int(pid[4:6])
        r = await app.call("POST", "/officials", BOARD, json=official(pid=pid, name=name, birth={"year": yr}))
        assert r.status_code == 201, r.text
    found = (await app.call("GET", "/officials?q=nguyen van an", BOARD)).json()
    assert [o["full_name"] for o in found] == ["Nguyễn Văn An", "Nguyen Van Anh"]
    everyone = [o["full_name"] for o in (await app.call("GET", "/officials", BOARD)).json()]
    # given name first (An < Anh < Ấn < Bình), then family name (Đặng < Nguyễn)
    assert everyone == ["Đặng Văn An", "Nguyễn Văn An", "Nguyen Van Anh", "Trần Văn Ấn", "Lê Thị Bình"]
    assert (await app.call("GET", "/officials?unit=BINHLONG", ["unit_officer"], ["DONGXOAI"])).status_code == 403
    mine = (await app.call("GET", "/officials", ["unit_officer"], ["BINHLONG"])).json()
    assert mine == []
    xlsx = await app.call("GET", "/officials?format=xlsx&q=an", BOARD)
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][1] == "full_name" and rows[1][1] == "Đặng Văn An" and rows[1][0] == "*********444"


async def test_import_reports_bad_rows_and_reimport_changes_nothing(app: App) -> None:
    rows = [
        {"row": 2, "values": {"personal_id": "001075012345", "full_name": "Nguyễn Văn An", "gender": "Nam",
                              "birth_date": "12/03/1975", "category": "civil_servant", "ratings": "2025:HTTNV"}},
        {"row": 3, "values": {"personal_id": "0010750123", "full_name": "Lê Thị Bình", "gender": "Nữ",
                              "birth_date": "1980", "category": "cadre"}},
        {"row": 4, "values": {"personal_id": "079180000123", "full_name": "Lê Thị Bình", "gender": "Nữ",
                              "birth_date": "31/02/1980", "category": "cadre"}},
        {"row": 5, "values": {"personal_id": "079180000123", "full_name": "Lê Thị Bình", "gender": "Nữ",
                              "birth_date": "02/1980", "category": "viên chức", "political_theory": "expert"}},
        {"row": 6, "values": {"personal_id": "079180000999", "full_name": "Phạm Thị Cúc", "gender": "female",
                              "birth_date": "1980", "category": "cadre", "unit_code": "BINHLONG"}},
    ]
    first = await app.call("POST", "/officials/import", BOARD, json={"rows": rows, "unit_code": "DONGXOAI"})
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["created"], report["rejected"]) == (2, 3)
    where = {(e["row"], e["column"]) for e in report["errors"]}
    assert where == {(3, "personal_id"), (4, "birth_date"), (5, "political_theory")}
    assert all(e["message_vi"] and e["message_en"] for e in report["errors"])
    again = (await app.call("POST", "/officials/import", BOARD, json={"rows": rows, "unit_code": "DONGXOAI"})).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    scoped = (await app.call("POST", "/officials/import", ["unit_officer"], ["DONGXOAI"],
                             json={"rows": rows[4:], "unit_code": "DONGXOAI"})).json()
    assert scoped["rejected"] == 1 and scoped["errors"][0]["code"] == "unit_out_of_scope"


async def test_import_file_upload_xlsx(app: App) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["personal_id", "full_name", "gender", "birth_date", "unit_code", "category"])
    ws.append(["001075012345", "Nguyễn Văn An", "male", "12/03/1975", "DONGXOAI", "cadre"])
    ws.append(["001075012346", "Trần Văn Bảo", "male", "01/01/2099", "DONGXOAI", "cadre"])
    buf = io.BytesIO()
    wb.save(buf)
    resp = await app.client.post("/officials/import/file", headers=app.headers(BOARD),
                                 files={"file": ("officials.xlsx", buf.getvalue())})
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == 1 and resp.json()["errors"][0]["row"] == 3


async def test_merge_moves_officials_and_keeps_history_under_the_old_unit(app: App) -> None:
    a = (await app.call("POST", "/officials", BOARD, json=official())).json()["id"]
    b = (await app.call("POST", "/officials", BOARD,
                        json=official(pid="001080000222", name="Lê Văn Bình", birth={"year": 1980},
                                      unit_code="BINHLONG"))).json()["id"]
    merge = {"kind": "merge", "sources": ["DONGXOAI", "BINHLONG"],
             "targets": [{"code": "DONGNAI-TAY", "name": "Khu vực phía Tây", "kind": "district"}],
             "effective_date": "2025-07-01", "decision_ref": "Nghị quyết 202/2025/QH15"}
    resp = await app.call("POST", "/units/reorganisations", BOARD, json=merge)
    assert resp.status_code == 201, resp.text
    assert resp.json()["officials_moved"] == 2
    async with app.ctx.sessions() as s:
        units = {o.id: o.unit_code for o in (await s.execute(select(Official))).scalars()}
    assert units == {a: "DONGNAI-TAY", b: "DONGNAI-TAY"}
    old = (await app.call("GET", "/units/DONGXOAI/history", BOARD)).json()
    assert old["unit"]["status"] == "merged" and old["unit"]["successor_code"] == "DONGNAI-TAY"
    assert [m["id"] for m in old["members"]] == [a] and old["members"][0]["valid_to"] == "2025-07-01"
    again = await app.call("POST", "/units/reorganisations", BOARD, json=merge)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "sources"
    rename = await app.call("POST", "/units/reorganisations", BOARD, json={
        "kind": "rename", "sources": ["DONGNAI-TAY"], "new_name": "Phường Đồng Xoài",
        "effective_date": "2025-07-01", "decision_ref": "NQ 1/2025"})
    assert rename.status_code == 201 and rename.json()["old_name"] == "Khu vực phía Tây"
    closing = await app.call("POST", "/units/reorganisations", BOARD, json={
        "kind": "close", "sources": ["DONGNAI-TAY"], "effective_date": "2025-07-01", "decision_ref": "NQ 2/2025"})
    assert closing.status_code == 422 and closing.json()["errors"][0]["field"] == "move_to"
    officer = await app.call("POST", "/units/reorganisations", ["unit_officer"], ["DONGXOAI"], json=merge)
    assert officer.status_code == 403
    async with app.ctx.sessions() as s:
        audited = (await s.execute(text("SELECT action FROM audit_log WHERE action LIKE 'unit.%'"))).scalars().all()
        n = (await s.execute(select(func.count()).select_from(OfficialUnitHistory))).scalar_one()
    assert {"unit.merge", "unit.rename"} <= set(audited) and n == 4
    units_xlsx = await app.call("GET", "/units?format=xlsx", BOARD)
    assert units_xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")


async def test_split_assigns_officials_and_close_moves_the_rest(app: App) -> None:
    a = (await app.call("POST", "/officials", BOARD, json=official())).json()["id"]
    b = (await app.call("POST", "/officials", BOARD, json=official(pid="001080000222", name="Lê Văn Bình",
                                                                    birth={"year": 1980}))).json()["id"]
    split = await app.call("POST", "/units/reorganisations", BOARD, json={
        "kind": "split", "sources": ["DONGXOAI"], "assignments": {b: "TANPHU"},
        "targets": [{"code": "TANTHANH", "name": "Phường Tân Thành", "kind": "commune"},
                    {"code": "TANPHU", "name": "Phường Tân Phú", "kind": "commune"}],
        "effective_date": "2025-07-01", "decision_ref": "NQ 1662/NQ-UBTVQH15"})
    assert split.status_code == 201, split.text
    async with app.ctx.sessions() as s:
        units = {o.id: o.unit_code for o in (await s.execute(select(Official))).scalars()}
    assert units == {a: "TANTHANH", b: "TANPHU"}
    closed = await app.call("POST", "/units/reorganisations", BOARD, json={
        "kind": "close", "sources": ["TANPHU"], "move_to": "BINHLONG", "effective_date": "2025-08-01",
        "decision_ref": "QĐ 5/2025"})
    assert closed.status_code == 201 and closed.json()["target_codes"] == ["BINHLONG"]
    history = (await app.call("GET", "/units/TANPHU/history", BOARD)).json()
    assert history["unit"]["status"] == "closed" and [m["id"] for m in history["members"]] == [b]
    listed = [r["kind"] for r in (await app.call("GET", "/units/reorganisations", BOARD)).json()]
    assert listed == ["split", "close"]
    async with app.ctx.sessions() as s:
        kinds = (await s.execute(text("SELECT event_type FROM outbox WHERE event_type='UnitsReorganised'"))).all()
    assert len(kinds) == 2
