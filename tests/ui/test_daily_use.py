"""In Chromium, what approvers use every day (#17 item 3): a Board member decides a task with the keyboard alone
(Tab, Shift+Tab, Enter, Space), every stop showing a focus outline; on a phone's width (375×740) the inbox, a task, a
decision record and the marking page scroll only downwards and their controls are big enough to read and touch;
the search finds a name typed without diacritics. Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from contracts.human_tasks import CloseTaskInput
from tests.ui.serve import PortalSite as Site
from tests.ui.serve import portal_site
from tests.ui.test_role_pages import check
from tests.ui.test_task_views import ARTIFACTS
from tests.unit.portal.support import MARK


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with portal_site(tmp_path) as served:
        yield served


async def sign_in(site: Site, user: str, *, width: int = 1200, height: int = 900) -> Page:
    page = await (await site.browser.new_context(viewport={"width": width, "height": height})).new_page()
    await page.goto(f"{site.url}/ui/signin?lang=vi")
    await page.get_by_label("Người dùng").select_option(user)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), type: e.getAttribute('type') || '', id: e.id || '',
          text: (e.innerText || e.value || '').trim().slice(0, 120),
          label: e.labels && e.labels.length ? e.labels[0].innerText.trim() : '',
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


async def tab_to(page: Page, wanted: str, *, key: str = "Tab", limit: int = 60) -> dict[str, str]:
    """Press Tab (or Shift+Tab) until the focused element's text or label is ``wanted``; every stop on the way must
    show a focus outline."""
    seen = []
    for _ in range(limit):
        await page.keyboard.press(key)
        focused = await page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["outline"], f"no visible focus outline on {focused}"
        seen.append(focused["text"] or focused["label"])
        if wanted in (focused["text"], focused["label"]):
            return focused  # type: ignore[no-any-return]
    raise AssertionError(f"{wanted!r} is not reachable with {key}: {seen}")


async def test_a_board_member_decides_a_task_with_the_keyboard_alone(site: Site) -> None:
    task = await site.portal.ask(key="review", title_vi="Xét duyệt đăng ký — Nguyễn Văn An",
                                 title_en="Review a registration — Nguyễn Văn An",
                                 dossier={"official_name": "Nguyễn Văn An"})
    page = await sign_in(site, "btc.nguyenvanhai")
    await page.goto(f"{site.url}/ui/away?lang=vi")  # start away from the inbox: reach it by the keyboard
    await tab_to(page, "Hộp công việc")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Hộp công việc")
    await tab_to(page, "Tìm kiếm")
    await page.keyboard.type("nguyen van an")
    await page.keyboard.press("Enter")  # the search form is sent from its box
    await expect(page.get_by_role("link", name="Xét duyệt đăng ký — Nguyễn Văn An")).to_be_visible()
    await tab_to(page, "Xét duyệt đăng ký — Nguyễn Văn An")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Xét duyệt đăng ký — Nguyễn Văn An")
    await tab_to(page, "Phê duyệt")
    await page.keyboard.press("Space")
    assert await page.get_by_role("radio", name="Phê duyệt", exact=True).is_checked()
    await tab_to(page, "Ý kiến (không bắt buộc)")
    await page.keyboard.type("Đủ điều kiện")
    await tab_to(page, "Tiếp tục")
    await tab_to(page, "Ý kiến (không bắt buộc)", key="Shift+Tab")  # and back again
    await tab_to(page, "Tiếp tục")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "keyboard-focus-vi.png"), full_page=True)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận quyết định")
    focused = await page.evaluate(FOCUSED)
    if focused is None or focused["text"] != "Xác nhận":
        await tab_to(page, "Xác nhận")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    (_, _, decision), = site.portal.sender.sent
    assert (decision.task_id, decision.action, decision.comment) == (task, "approve", "Đủ điều kiện")


NO_SIDEWAYS = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
SMALL_CONTROLS = """() => [...document.querySelectorAll(
    'main button, main input, main select, main textarea, main .button')]
  .filter(e => e.offsetParent !== null && e.type !== 'hidden' && e.type !== 'radio' && e.type !== 'checkbox')
  .map(e => ({e, r: e.getBoundingClientRect(), s: getComputedStyle(e)}))
  .filter(x => x.r.height < 40 || parseFloat(x.s.fontSize) < 16 || x.r.right > window.innerWidth)
  .map(x => `${x.e.tagName} ${x.e.name || x.e.innerText}: ${Math.round(x.r.height)}px high, ${x.s.fontSize}`)"""


async def on_a_phone(page: Page, shot: str) -> None:
    assert await page.evaluate(NO_SIDEWAYS), f"{shot}: the page scrolls sideways on a phone"
    assert await page.evaluate(SMALL_CONTROLS) == [], f"{shot}: controls too small to read or touch"
    await check(page, "vi", shot)


async def test_the_daily_pages_fit_a_phone(site: Site) -> None:
    task = await site.portal.ask(key="review", title_vi="Xét duyệt đăng ký — Trần Thị Bích Ngọc",
                                 title_en="Review a registration — Trần Thị Bích Ngọc",
                                 dossier={"official_name": "Trần Thị Bích Ngọc"})
    page = await sign_in(site, "btc.nguyenvanhai", width=375, height=740)
    await page.goto(f"{site.url}/ui/inbox?lang=vi")
    await on_a_phone(page, "phone-inbox-vi")
    await page.get_by_label("Tìm kiếm").fill("tran thi bich ngoc")
    await page.get_by_role("button", name="Lọc").click()
    await expect(page.get_by_role("link", name="Xét duyệt đăng ký — Trần Thị Bích Ngọc")).to_be_visible()
    await page.goto(f"{site.url}/ui/inbox?lang=en&q=nobody+at+all")
    await expect(page.get_by_text("No task matches.")).to_be_visible()
    await check(page, "en", "phone-inbox-en")
    await page.goto(f"{site.url}/ui/tasks/{task}?lang=vi")
    await on_a_phone(page, "phone-task-vi")
    async with site.portal.client("btc.nguyenvanhai") as c:
        assert (await c.post(f"/tasks/{task}/complete", json={"action": "approve"})).status_code == 200
    await site.portal.acts.close_task(CloseTaskInput(task, site.portal.sender.sent[0][2]))
    await page.goto(f"{site.url}/ui/tasks/{task}/record?lang=vi")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản quyết định")
    await on_a_phone(page, "phone-record-vi")
    await page.emulate_media(media="print")
    assert not await page.get_by_role("button", name="In trang này").is_visible(), "no buttons on paper"
    assert await page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "none"
    await page.screenshot(path=str(ARTIFACTS / "record-print-vi.png"), full_page=True)
    await page.emulate_media(media="screen")
    for n in range(3):
        await site.portal.ask(key=f"paper-{n}", workflow_id=f"wf-paper-{n}", kind="essay_mark",
                              candidate_roles=["examiner"], actions=[MARK], assignee="gk.hoangminhduc")
    examiner = await sign_in(site, "gk.hoangminhduc", width=375, height=740)
    await examiner.goto(f"{site.url}/ui/marking?lang=vi")
    await expect(examiner.get_by_role("heading", level=1)).to_be_visible()
    await on_a_phone(examiner, "phone-marking-vi")
