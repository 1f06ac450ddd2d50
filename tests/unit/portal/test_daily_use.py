"""What approvers use every day (#17 item 3): the inbox's search ignores diacritics (a folded column kept when the
task is filed, read in SQL), filters by kind and state and sorts names in Vietnamese order; a decided task prints as
one page saying what was signed, by whom, when and under which audit record; a held task is handed to a colleague
with a reason, or refused in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from contracts.human_tasks import CloseTaskInput
from services.portal.models import Task
from shared.auth import PORTAL_SESSION, SESSION_COOKIE, token_for_demo_user
from shared.migrate import upgrade
from tests.unit.portal.support import Portal, make_portal
from tests.unit.portal.test_task_views import RAW, visible


@pytest.fixture
async def portal(tmp_path: Path) -> Portal:
    return await make_portal(tmp_path)


async def _ui(portal: Portal, user: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
    """A page as the signed-in person sees it: (status, visible text, where a redirect went)."""
    token = token_for_demo_user(portal.settings, user, audience=[PORTAL_SESSION])
    async with portal.client() as client:
        client.cookies.set(SESSION_COOKIE, token)
        resp = await (client.post(path, data=form) if form is not None else client.get(path))
        where = resp.headers.get("location", "")
        if resp.status_code == 303 and where:
            resp = await client.get(where)
    return resp.status_code, visible(resp.text), where


async def _three(portal: Portal) -> dict[str, str]:
    names = {"an": "Nguyễn Văn An", "anh": "Ánh Đặng Thị", "bao": "Bùi Quốc Bảo"}
    return {key: await portal.ask(key=key, workflow_id=f"wf-{key}", title_vi=f"Xét duyệt đăng ký — {name}",
                                  title_en=f"Review a registration — {name}",
                                  dossier={"official_name": name,
                                           "programme_name": "Trung cấp lý luận chính trị K12"})
            for key, name in names.items()}


async def test_the_inbox_search_ignores_diacritics_and_case(portal: Portal) -> None:
    ids = await _three(portal)
    async with portal.client("btc.nguyenvanhai") as c:
        found = (await c.get("/tasks", params={"q": "nguyen van an"})).json()
        assert [t["id"] for t in found["items"]] == [ids["an"]] and found["total"] == 1
        by_class = (await c.get("/tasks", params={"q": "LY LUAN k12"})).json()
        assert {t["id"] for t in by_class["items"]} == set(ids.values())
        # each word begins a word of the task ("đăng ký" of every title also begins with "dang")
        assert ids["anh"] in {t["id"] for t in (await c.get("/tasks", params={"q": "Đặng  THỊ"})).json()["items"]}
        assert [t["id"] for t in (await c.get("/tasks", params={"q": "ANH dang  THI"})).json()["items"]] == [ids["anh"]]
        assert (await c.get("/tasks", params={"q": "guyen"})).json()["items"] == []  # not inside a word
        assert (await c.get("/tasks", params={"q": "100%_"})).json()["items"] == []  # LIKE's signs are letters here
    status, page, _ = await _ui(portal, "btc.nguyenvanhai", "/ui/inbox?q=nguyen+van+an")
    assert status == 200 and "Nguyễn Văn An" in page and "Bùi Quốc Bảo" not in page
    _, none, _ = await _ui(portal, "btc.nguyenvanhai", "/ui/inbox?q=tran+van+khong")
    assert "Không tìm thấy công việc nào khớp." in none


async def test_the_inbox_sorts_by_name_in_vietnamese_order_and_filters_by_state(portal: Portal) -> None:
    ids = await _three(portal)
    _, page, _ = await _ui(portal, "btc.nguyenvanhai", "/ui/inbox?sort=name")
    order = [page.index(n) for n in ("Ánh Đặng Thị", "Bùi Quốc Bảo", "Nguyễn Văn An")]
    assert order == sorted(order), "Á before B before N (Vietnamese order, not code points)"
    async with portal.client("btc.nguyenvanhai") as c:
        assert (await c.post(f"/tasks/{ids['bao']}/complete", json={"action": "approve"})).status_code == 200
    await portal.acts.close_task(CloseTaskInput(ids["bao"], portal.sender.sent[0][2]))
    _, decided, _ = await _ui(portal, "btc.nguyenvanhai", "/ui/inbox?status=completed")
    assert "Bùi Quốc Bảo" in decided and "Nguyễn Văn An" not in decided and "Bản in quyết định" in decided
    _, still_open, _ = await _ui(portal, "btc.nguyenvanhai", "/ui/inbox?status=open&kind=registration_review")
    assert "Nguyễn Văn An" in still_open and "Bùi Quốc Bảo" not in still_open
    assert RAW.findall(still_open) == []


async def test_a_decided_task_prints_what_was_signed(portal: Portal) -> None:
    ids = await _three(portal)
    async with portal.client("btc.tranthithu") as c:
        assert (await c.post(f"/tasks/{ids['an']}/complete",
                             json={"action": "refuse", "comment": "Thiếu quyết định cử đi học"})).status_code == 200
    await portal.acts.close_task(CloseTaskInput(ids["an"], portal.sender.sent[0][2]))
    status, page, _ = await _ui(portal, "btc.tranthithu", f"/ui/tasks/{ids['an']}/record")
    assert status == 200, page
    assert "Biên bản quyết định" in page and "Xét duyệt đăng ký — Nguyễn Văn An" in page
    assert "Từ chối" in page and "Thiếu quyết định cử đi học" in page and "Trần Thị Thu" in page
    assert "Tôi" in page.split("Lời xác nhận đã ký", 1)[1]  # the first-person statement signed
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d\s+\(giờ Việt Nam\)", page)
    async with portal.ctx.sessions() as s:
        seq = (await s.execute(text("SELECT seq FROM audit_log WHERE subject=:s AND action='task.refuse'"),
                               {"s": f"task:{ids['an']}"})).scalar_one()
    assert f"Số {seq} trong nhật ký của cổng phê duyệt" in page and RAW.findall(page) == []
    _, english, _ = await _ui(portal, "btc.tranthithu", f"/ui/tasks/{ids['an']}/record?lang=en")
    assert "Decision record" in english and "Vietnam time" in english and RAW.findall(english) == []
    refused, denied, _ = await _ui(portal, "tc.binhlong", f"/ui/tasks/{ids['an']}/record")
    assert refused == 403 and "Trần Thị Thu" not in denied  # only who may read the task


async def test_a_task_not_decided_yet_says_so_on_its_record(portal: Portal) -> None:
    ids = await _three(portal)
    status, page, _ = await _ui(portal, "btc.tranthithu", f"/ui/tasks/{ids['an']}/record")
    assert status == 200 and "Công việc này chưa được quyết định." in page and "Lời xác nhận đã ký" not in page


async def test_the_holder_hands_a_task_to_a_colleague_with_a_reason(portal: Portal) -> None:
    task = await portal.ask(assignee="btc.nguyenvanhai")
    _, page, _ = await _ui(portal, "btc.nguyenvanhai", f"/ui/tasks/{task}")
    assert "Giao cho đồng nghiệp" in page and "Trần Thị Thu — Ban Tổ chức" in page
    assert "Lê Thị Hồng" not in page, "only colleagues who could decide it"
    status, short, _ = await _ui(portal, "btc.nguyenvanhai", f"/ui/tasks/{task}/delegate",
                                 {"to": "btc.tranthithu", "reason": "ố"})
    assert status == 422 and "Không thực hiện được" in short
    async with portal.ctx.sessions() as s:
        assert (await s.get(Task, task)).assignee == "btc.nguyenvanhai"  # type: ignore[union-attr]
    status, other, _ = await _ui(portal, "btc.nguyenvanhai", f"/ui/tasks/{task}/delegate",
                                 {"to": "tc.dongxoai", "reason": "Đi công tác"})
    assert status == 422 and "không được tự quyết định công việc này" in other
    status, done, where = await _ui(portal, "btc.nguyenvanhai", f"/ui/tasks/{task}/delegate",
                                    {"to": "btc.tranthithu", "reason": "Đi công tác Hà Nội"})
    assert status == 200 and where.startswith("/ui/inbox") and "Đã giao công việc cho Trần Thị Thu." in done
    async with portal.client("btc.tranthithu") as c:
        got = (await c.get(f"/tasks/{task}")).json()
    assert (got["assignee"], got["on_behalf_of"], got["delegation_reason"]) == (
        "btc.tranthithu", "btc.nguyenvanhai", "Đi công tác Hà Nội")
    _, elsewhere, _ = await _ui(portal, "tc.dongxoai", f"/ui/inbox?handed={task}")
    assert "Trần Thị Thu" not in elsewhere  # someone else's hand-over names nobody


async def test_only_the_holder_of_a_task_that_is_not_personal_may_hand_it_on(portal: Portal) -> None:
    from tests.unit.portal.support import MARK
    paper = await portal.ask(kind="essay_mark", candidate_roles=["examiner"], actions=[MARK],
                             assignee="gk.hoangminhduc")
    _, page, _ = await _ui(portal, "gk.hoangminhduc", f"/ui/tasks/{paper}")
    assert "Chấm điểm" in page and "Giao cho đồng nghiệp" not in page  # a mark is the examiner's own
    group = await portal.ask(key="group", workflow_id="wf-group")
    _, unheld, _ = await _ui(portal, "btc.nguyenvanhai", f"/ui/tasks/{group}")
    assert "Nhận xử lý" in unheld and "Giao cho đồng nghiệp" not in unheld  # claim it first


async def test_the_migration_folds_the_tasks_filed_before_it(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    task = await portal.ask(dossier={"official_name": "Đỗ Thị Ngọc"})
    async with portal.ctx.engine.begin() as conn:
        await conn.execute(text("UPDATE tasks SET search_folded = ''"))
        await conn.execute(text("UPDATE alembic_version SET version_num = 'e5b9c3a1d2f4'"))
        await conn.execute(text("ALTER TABLE tasks DROP COLUMN search_folded"))
    await upgrade("portal", portal.settings.db_url("portal"))
    async with portal.ctx.sessions() as s:
        row = await s.get(Task, task)
    assert row is not None and "do thi ngoc" in row.search_folded
