"""In Chromium: a Board member going on a work trip names a colleague to stand in, their open task moves to the
colleague at once, and ending the period early brings it back; the page in both languages has nothing raw and no
serious accessibility fault (screenshots in test-artifacts/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.ui.serve import PortalSite as Site
from tests.ui.serve import portal_site
from tests.ui.test_role_pages import check
from tests.unit.portal.support import Portal


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with portal_site(tmp_path) as served:
        yield served


async def _holder(portal: Portal, task_id: str) -> tuple[str, str | None]:
    async with portal.client("btc.tranthithu") as c:
        got = (await c.get(f"/tasks/{task_id}")).json()
    return got["assignee"], got["on_behalf_of"]


async def test_a_board_member_names_a_stand_in_and_ends_the_period_early(site: Site) -> None:
    task = await site.portal.ask(key="review", assignee="btc.nguyenvanhai")
    page = await (await site.browser.new_context(viewport={"width": 1200, "height": 900})).new_page()
    await page.goto(f"{site.url}/ui/signin?lang=vi")
    await page.get_by_label("Người dùng").select_option("btc.nguyenvanhai")
    await page.get_by_role("button", name="Đăng nhập").click()
    nav = page.get_by_role("navigation", name="Các trang")
    await nav.get_by_role("link", name="Vắng mặt và người thay thế").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Vắng mặt và người thay thế")
    await expect(page.get_by_text("Chưa đặt đợt vắng mặt nào.")).to_be_visible()
    await check(page, "vi", "away-empty-vi")
    stand_in = page.get_by_label("Người thay thế")
    assert "Nguyễn Văn Hải" not in await stand_in.inner_text(), "nobody stands in for themselves"
    await stand_in.select_option(label="Trần Thị Thu — Ban Tổ chức")
    last = date.today() + timedelta(days=3)
    await page.get_by_label("Đến hết ngày").fill(last.isoformat())
    await page.get_by_label("Lý do").fill("Đi công tác Hà Nội")
    await page.get_by_role("button", name="Lưu đợt vắng mặt").click()
    await expect(page.get_by_role("status")).to_have_text("Đã lưu; 1 công việc đang mở được chuyển cho người thay thế.")
    await expect(page.get_by_role("row", name=f"{last:%d/%m/%Y} Trần Thị Thu Đi công tác Hà Nội")).to_be_visible()
    assert await _holder(site.portal, task) == ("btc.tranthithu", "btc.nguyenvanhai")
    await check(page, "vi", "away-set-vi")
    await page.goto(f"{site.url}/ui/away?lang=en")
    await check(page, "en", "away-set-en")
    await page.get_by_role("button", name="End it now").click()
    await expect(page.get_by_role("status")).to_have_text("Ended; 1 tasks came back to you.")
    await expect(page.get_by_text("No period away is set.")).to_be_visible()
    assert await _holder(site.portal, task) == ("btc.nguyenvanhai", None)


async def test_a_period_that_ends_before_it_starts_is_refused_in_words(site: Site) -> None:
    page = await (await site.browser.new_context(viewport={"width": 1200, "height": 900})).new_page()
    await page.goto(f"{site.url}/ui/signin?lang=vi")
    await page.get_by_label("Người dùng").select_option("btc.nguyenvanhai")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.goto(f"{site.url}/ui/away?lang=vi")
    await page.get_by_label("Người thay thế").select_option(label="Trần Thị Thu — Ban Tổ chức")
    start = date.today() + timedelta(days=5)
    await page.get_by_label("Từ ngày").fill(start.isoformat())
    await page.get_by_label("Đến hết ngày").fill((start - timedelta(days=2)).isoformat())
    await page.get_by_role("button", name="Lưu đợt vắng mặt").click()
    await expect(page.get_by_role("alert")).to_contain_text("Ngày kết thúc trước ngày bắt đầu")
    async with site.portal.client("btc.nguyenvanhai") as c:
        assert (await c.get("/substitutes")).json() == [], "nothing was recorded"
