"""The role pages in real Chromium, in Vietnamese and in English: the unit officer's, the Organization Board's and
the auditor's. The portal serves them over HTTP; behind it the three other services run as production composes
them (in process, on SQLite) and the portal reads them through their APIs. Every page must show nothing raw (the
checker of test_task_views.py, with the pages' own words for the untranslated check) and axe-core must report no
serious or critical violation; screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import text

from services.portal.adapters.people import demo_directory
from services.portal.config import PortalSettings
from services.portal.pages.words import WORDS as PAGE_WORDS
from tests.ui.pages_world import World, build_world
from tests.ui.serve import serve
from tests.ui.test_task_views import ARTIFACTS, RAW, _other_language_labels, serious_axe

OFFICER_PAGES = ["/ui/officials", "/ui/needs/new", "/ui/registrations", "/ui/compliance"]
BOARD_PAGES = ["/ui/conflicts", "/ui/compliance", "/ui/classes", "/ui/plans", "/ui/campaigns", "/ui/report",
               "/ui/officials", "/ui/registrations"]
AUDITOR_PAGES = ["/ui/audit", "/ui/dossier-reads"]


@dataclass
class Site:
    url: str
    world: World
    browser: Browser


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    world = await build_world(tmp_path)
    apps = world.services.apps
    portal = apps["portal"]
    portal.state.service_transports = {n: httpx.ASGITransport(app=a) for n, a in apps.items()}
    portal.state.directory = demo_directory()
    portal.state.portal_settings = PortalSettings(demo_login=True)
    try:
        async with serve(portal) as (url, browser):
            yield Site(url, world, browser)
    finally:
        await world.services.close()


async def sign_in(site: Site, user: str) -> Page:
    page = await (await site.browser.new_context(viewport={"width": 1200, "height": 900})).new_page()
    await page.goto(f"{site.url}/ui/signin?lang=vi")
    await page.get_by_label("Người dùng").select_option(user)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_load_state()
    return page


def _untranslated(text: str, lang: str) -> list[str]:
    """The labels of the other language (the portal's and the pages' words) left on the page."""
    mine, other = (0, 1) if lang == "vi" else (1, 0)
    labels = {p[other] for p in PAGE_WORDS.values()
              if p[other] != p[mine] and len(p[other]) > 3 and "{" not in p[other]}
    labels |= set(_other_language_labels(lang))
    return [f"untranslated: {label!r}" for label in sorted(labels)
            if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]


async def check(page: Page, lang: str, shot: str) -> None:
    """Nothing raw, nothing untranslated, no serious accessibility fault; keep a screenshot."""
    assert await page.get_attribute("html", "lang") == lang
    # Vietnamese data shown on an English page (a plan's title, a programme's name) is marked lang="vi"
    body: str = await page.evaluate("""() => { const c = document.body.cloneNode(true);
        c.querySelectorAll('[lang]').forEach(e => e.remove()); return c.textContent; }""")
    shown: str = await page.evaluate("document.body.innerText")
    assert [f"{what}: {m.group(0)!r}" for what, rx in RAW for m in rx.finditer(shown)] == [], f"{shot}: raw text"
    assert _untranslated(body, lang) == [], f"{shot}: untranslated"
    assert await serious_axe(page) == [], f"{shot}: axe-core"
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)


async def walk(site: Site, page: Page, paths: list[str], who: str) -> None:
    for path in paths:
        for lang in ("vi", "en"):
            resp = await page.goto(f"{site.url}{path}?lang={lang}")
            assert resp is not None and resp.status == 200, f"{path} ({lang}) -> {resp and resp.status}"
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await check(page, lang, f"pages-{who}{path.replace('/ui', '').replace('/', '-')}-{lang}")
    await page.goto(f"{site.url}/ui/officials?lang=vi")


async def test_every_role_page_opens_in_words_in_both_languages(site: Site) -> None:
    officer = await sign_in(site, "tc.dongxoai")
    await walk(site, officer, OFFICER_PAGES, "officer")
    board = await sign_in(site, "btc.nguyenvanhai")
    await walk(site, board, BOARD_PAGES, "board")
    await board.get_by_role("link", name="Lê Minh Ánh", exact=True).click()  # a read the auditor will see
    await expect(board.get_by_role("heading", name="Hồ sơ cán bộ: Lê Minh Ánh")).to_be_visible()
    auditor = await sign_in(site, "kt.lyvannam")
    await expect(auditor.get_by_role("heading", name="Nhật ký kiểm toán")).to_be_visible()  # the auditor lands here
    await walk(site, auditor, AUDITOR_PAGES, "auditor")
    await auditor.goto(f"{site.url}/ui/audit")
    assert await auditor.locator(".audit-summary .st-accepted").count() == 4  # every service's chains are intact
    await auditor.goto(f"{site.url}/ui/dossier-reads")
    await expect(auditor.get_by_role("row", name=re.compile("Lê Minh Ánh Nguyễn Văn Hải Ban Tổ chức"))).to_be_visible()
    nav = auditor.get_by_role("navigation", name="Các trang")
    await expect(nav.get_by_role("link", name="Nhật ký xem hồ sơ")).to_be_visible()
    await expect(nav.get_by_role("link", name="Hộp công việc", exact=True)).to_have_count(0)  # not the auditor's
    await expect(nav.get_by_role("link", name="Đăng ký nhu cầu đào tạo")).to_have_count(0)


async def test_a_unit_officer_sees_the_findings_of_a_need_before_sending_it(site: Site) -> None:
    page = await sign_in(site, "tc.dongxoai")
    await expect(page.get_by_role("heading", name="Hộp công việc")).to_be_visible()
    nav = page.get_by_role("navigation", name="Các trang")
    await expect(nav.get_by_role("link", name="Trùng lặp, chồng chéo")).to_have_count(0)  # a Board page
    await nav.get_by_role("link", name="Cán bộ", exact=True).click()
    await page.get_by_label("Tìm theo họ tên").fill("anh")  # no diacritics: finds Lê Minh Ánh
    await page.get_by_role("button", name="Tìm").click()
    await expect(page.get_by_role("status")).to_contain_text("Tìm thấy 1 người")
    await page.get_by_label("Tìm theo họ tên").fill("")
    await page.get_by_role("button", name="Tìm").click()
    names = await page.locator("tbody tr td:first-child").all_inner_texts()
    assert names == ["Lê Minh Ánh", "Phạm Quốc Bảo", "Trần Văn Đức", "Nguyễn Thị Hoa", "Đỗ Thị Yến"]  # given names
    await page.get_by_role("link", name="Lê Minh Ánh", exact=True).click()
    await expect(page.get_by_role("heading", name="Hồ sơ cán bộ: Lê Minh Ánh")).to_be_visible()
    await check(page, "vi", "pages-officer-record-vi")
    await page.get_by_role("link", name="Đăng ký cho người này").click()
    await page.get_by_label("Chương trình").select_option(label="Trung cấp lý luận chính trị - hành chính")
    before = await _registrations(site)
    await page.get_by_role("button", name="Kiểm tra").click()
    checked = page.locator("section.checked")
    await expect(checked.get_by_role("status")).to_contain_text("Từ chối")
    await expect(checked).to_contain_text("Đã có trình độ lý luận chính trị trung cấp")  # the finding, in words
    await expect(checked).to_contain_text("Chưa có gì được ghi lại")
    assert await _registrations(site) == before, "the check wrote a registration"
    await check(page, "vi", "pages-officer-need-checked-vi")
    await page.get_by_label("Cán bộ", exact=True).select_option(label="Nguyễn Thị Hoa — Thành phố Đồng Xoài")
    await page.get_by_role("button", name="Kiểm tra").click()
    await expect(checked.get_by_role("status")).to_contain_text("Chấp nhận")
    await expect(checked).to_contain_text("Đạt mọi điều kiện")
    await checked.get_by_role("button", name="Gửi đăng ký").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã gửi đăng ký của Nguyễn Thị Hoa: Chấp nhận")
    assert await _registrations(site) == before + 1
    await check(page, "vi", "pages-officer-registrations-sent-vi")


async def _registrations(site: Site) -> int:
    async with site.world.services.contexts["registration"].sessions() as s:
        return int((await s.execute(text("SELECT count(*) FROM registrations"))).scalar_one())


async def test_a_board_member_reads_conflicts_and_compliance(site: Site) -> None:
    page = await sign_in(site, "btc.nguyenvanhai")
    nav = page.get_by_role("navigation", name="Các trang")
    await nav.get_by_role("link", name="Trùng lặp, chồng chéo").click()
    overlaps = page.get_by_role("table", name="Trùng thời gian học")
    await expect(overlaps.get_by_role("link", name="Hoàng Thị Lan")).to_be_visible()
    await expect(overlaps).to_contain_text("Thị xã Bình Long")
    await expect(overlaps).to_contain_text("LLCT-TC-02")
    await expect(page.get_by_role("table", name="Đăng ký trùng chương trình")).to_contain_text("Thành phố Đồng Xoài")
    await nav.get_by_role("link", name="Tuân thủ bồi dưỡng hằng năm").click()
    await expect(page.get_by_role("img", name=re.compile("Tỷ lệ cán bộ đã được bồi dưỡng"))).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile("Thành phố Đồng Xoài 5 2 40 % Chưa đạt"))).to_be_visible()
    missing = page.get_by_role("table", name="Cán bộ chưa được bồi dưỡng trong năm")
    assert await missing.locator("tbody td:first-child").all_inner_texts() == [
        "Lê Minh Ánh", "Phạm Quốc Bảo", "Hoàng Thị Lan", "Đỗ Thị Yến"]
    await page.get_by_role("link", name="Hoàng Thị Lan").click()
    await expect(page.get_by_role("heading", name="Hồ sơ cán bộ: Hoàng Thị Lan")).to_be_visible()
    await nav.get_by_role("link", name="Báo cáo năm").click()
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Tải báo cáo (tệp Excel)").click()
    path = await (await download.value).path()
    assert Path(path).read_bytes()[:2] == b"PK"  # an XLSX (a zip)


async def test_a_unit_officer_cannot_open_a_board_page(site: Site) -> None:
    page = await sign_in(site, "tc.dongxoai")
    for path in ("/ui/conflicts", "/ui/campaigns", "/ui/audit"):
        resp = await page.goto(f"{site.url}{path}")
        assert resp is not None and resp.status == 403
        await expect(page.get_by_role("alert")).to_contain_text("Trang này không dành cho vai trò của bạn")
    await check(page, "vi", "pages-officer-denied-vi")
    answer = await page.request.post(f"{site.url}/ui/needs/check", form={"official_id": "x"})
    assert answer.status in (200, 422)  # a unit officer may check a need (here: refused as unreadable)


async def test_a_unit_officer_uploads_an_officials_file_and_reads_the_row_report(site: Site, tmp_path: Path) -> None:
    csv = tmp_path / "can-bo.csv"
    csv.write_text("personal_id,full_name,gender,birth_date,unit_code,category\n"
                   "001180019001,Ngô Thị Mai,female,12/03/1980,DONGXOAI,cadre\n"
                   "001075019002,Trịnh Văn Sơn,male,01/01/2099,DONGXOAI,cadre\n", encoding="utf-8")
    page = await sign_in(site, "tc.dongxoai")
    await page.get_by_role("navigation", name="Các trang").get_by_role("link", name="Nhập danh sách cán bộ").click()
    await check(page, "vi", "pages-officer-upload-vi")
    await page.get_by_label("Tệp danh sách").set_input_files(str(csv))
    await page.get_by_role("button", name="Tải lên và nhập").click()
    await expect(page.get_by_role("heading", name="Kết quả nhập tệp can-bo.csv")).to_be_visible()
    report = page.get_by_role("status").first  # the report (the upload's own note follows)
    await expect(report).to_contain_text("Thêm mới: 1")
    await expect(report).to_contain_text("Dòng bị từ chối: 1")
    await expect(page.get_by_role("row", name=re.compile("^3 "))).to_be_visible()  # the bad row, by number
    await check(page, "vi", "pages-officer-upload-report-vi")
    await page.goto(f"{site.url}/ui/officials?q=ngo thi mai")
    await expect(page.get_by_role("link", name="Ngô Thị Mai", exact=True)).to_be_visible()


async def test_a_board_member_reads_a_class_timetable_roster_and_waitlist(site: Site) -> None:
    board = await sign_in(site, "btc.nguyenvanhai")
    await board.goto(f"{site.url}/ui/classes?lang=vi")
    await board.get_by_role("link", name="LLCT-TC-01", exact=True).click()
    await expect(board.get_by_role("heading", level=1)).to_have_text("Lớp LLCT-TC-01")
    await expect(board.get_by_role("heading", name="Thời khóa biểu")).to_be_visible()
    board_api = site.world.services.headers(["organization_board"], user="btc.nguyenvanhai")
    sessions = await site.world.services.client("scheduling").get(
        f"/classes/{site.world.classes['LLCT-TC-01']}/timetable", headers=board_api)
    assert sessions.status_code == 200
    shown = sessions.json()["sessions"]
    assert shown, "the seeded class has sessions"
    await expect(board.locator("table tbody tr")).to_have_count(len(shown))  # one row per session
    await expect(board.get_by_role("heading", name=re.compile(r"^Học viên \(4\)$"))).to_be_visible()  # capacity 4
    await expect(board.get_by_role("heading", name=re.compile(r"^Danh sách chờ \(1\)$"))).to_be_visible()
    await expect(board.get_by_text("Đỗ Thị Yến")).to_be_visible()  # the fifth, beyond the capacity: waiting
    for lang in ("vi", "en"):
        await board.goto(f"{site.url}/ui/classes/{site.world.classes['LLCT-TC-01']}?lang={lang}")
        await check(board, lang, f"pages-board-class-{lang}")
    # the programme by its name in the page's language: the catalogue holds both
    for lang, name, other in (("vi", "Trung cấp lý luận chính trị - hành chính", "Intermediate political theory"),
                              ("en", "Intermediate political theory and administration", "Trung cấp lý luận")):
        await board.goto(f"{site.url}/ui/classes?lang={lang}")
        await expect(board.get_by_role("row", name=re.compile("LLCT-TC-01")).first).to_contain_text(name)
        await expect(board.locator("main")).not_to_contain_text(other)
    officer = await sign_in(site, "tc.dongxoai")  # the need form offers it by the same name
    await officer.goto(f"{site.url}/ui/needs/new?lang=en")
    await expect(officer.locator("#programme_code option",
                                 has_text="Intermediate political theory and administration")).to_have_count(1)
