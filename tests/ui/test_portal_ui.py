"""The approvers' web UI in real Chromium: sign in, see the task, be refused with a reason, approve with a comment
and a confirmation (a real Temporal Update on the time-skipping server), and the task leaves the inbox.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts import queues
from services.portal.adapters.updates import TemporalUpdateSender
from tests.support.portal_probe import PortalProbe, PortalProbeInput
from tests.support.seal import TEST_SIGNER
from tests.support.tools import start_time_skipping
from tests.unit.portal.support import MARK, Portal, make_portal

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


@dataclass
class Site:
    url: str
    portal: Portal
    env: WorkflowEnvironment
    queue: str
    browser: Browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    assert Path(CHROMIUM).exists(), "Debian chromium is required: apt-get install -y chromium"
    env = await start_time_skipping()
    portal = await make_portal(tmp_path)
    portal.app.state.update_sender = TemporalUpdateSender(client=env.client, signer=TEST_SIGNER,
                                                          clock=env.get_current_time)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(portal.app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    queue = f"ui-{uuid.uuid4().hex}"
    acts = portal.acts
    try:
        async with (Worker(env.client, task_queue=queue, workflows=[PortalProbe]),
                    Worker(env.client, task_queue=queues.PORTAL,
                           activities=acts.all()),
                    async_playwright() as pw):
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                yield Site(f"http://127.0.0.1:{port}", portal, env, queue, browser)
            finally:
                await browser.close()
    finally:
        server.should_exit = True
        await serving
        await env.shutdown()


async def _sign_in(site: Site, user: str) -> Page:
    page = await (await site.browser.new_context(viewport={"width": 1200, "height": 800})).new_page()
    await page.goto(f"{site.url}/ui/signin")
    await page.get_by_label("Người dùng").select_option(user)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Hộp công việc")).to_be_visible()
    return page


async def _labels_cover_every_field(page: Page) -> None:
    unlabelled = await page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length)).map(el => el.name)""")
    assert unlabelled == []


async def test_approver_signs_in_is_refused_with_a_reason_then_approves(site: Site) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    handle = await site.env.client.start_workflow(
        PortalProbe.run, PortalProbeInput(), id=f"ui-probe-{uuid.uuid4().hex[:8]}", task_queue=site.queue)
    await site.portal.ask(key="other", workflow_id="wf-other", kind="class_below_target",
                          title_vi="Lớp dưới chỉ tiêu: Bồi dưỡng kiến thức quốc phòng",
                          title_en="Class below target: defence knowledge", due_in_seconds=-3600)
    page = await _sign_in(site, "btc.nguyenvanhai")
    assert await page.get_attribute("html", "lang") == "vi"
    probe = page.get_by_role("link", name="Xác nhận thử nghiệm")
    for _ in range(50):
        if await probe.count():
            break
        await asyncio.sleep(0.2)
        await page.reload()
    await expect(probe).to_be_visible()
    await expect(page.locator(".mark.late").first).to_contain_text("Quá hạn")
    await expect(page.get_by_role("link", name="Lớp dưới chỉ tiêu 1")).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "portal-inbox.png"), full_page=True)
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip", "the first Tab reaches the skip link"

    await probe.click()
    await expect(page.get_by_role("heading", name="Hồ sơ")).to_be_visible()
    await expect(page.get_by_role("row", name="Số hồ sơ HS-01")).to_be_visible()
    await _labels_cover_every_field(page)
    await page.screenshot(path=str(ARTIFACTS / "portal-task.png"), full_page=True)

    await page.get_by_role("radio", name="Từ chối").check()  # refusing needs a comment: the form says so
    comment = page.get_by_label("Ý kiến (bắt buộc)")
    await expect(comment).to_have_attribute("required", "")
    await comment.evaluate("el => el.removeAttribute('required')")  # past the browser: the server says so too
    await page.get_by_role("button", name="Tiếp tục").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Cần nhập ý kiến")
    await page.screenshot(path=str(ARTIFACTS / "portal-refused.png"), full_page=True)

    await page.get_by_role("radio", name="Phê duyệt").check()
    await page.get_by_label("Ý kiến").fill("Đồng ý, hồ sơ đầy đủ")
    await page.get_by_role("button", name="Tiếp tục").click()
    await expect(page.get_by_role("heading", name="Xác nhận quyết định")).to_be_visible()
    await expect(page.get_by_text("Đồng ý, hồ sơ đầy đủ")).to_be_visible()
    await page.get_by_role("button", name="Xác nhận").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    await expect(page.get_by_role("link", name="Xác nhận thử nghiệm")).to_have_count(0)
    result: Any = await handle.result()
    assert (result.action, result.actor_id, result.comment) == ("approve", "btc.nguyenvanhai", "Đồng ý, hồ sơ đầy đủ")

    await page.goto(f"{site.url}/ui/inbox?lang=en")
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    assert await page.get_attribute("html", "lang") == "en"
    await page.goto(f"{site.url}/ui/inbox")
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()  # the choice is remembered


async def test_committee_member_does_not_see_an_examiners_task(site: Site) -> None:
    essay = await site.portal.ask(key="essay", kind="essay_marking", candidate_roles=["examiner"], actions=[MARK],
                                  title_vi="Chấm bài thi viết 0417", title_en="Mark essay 0417")
    await site.portal.ask(key="vote", kind="committee_vote", candidate_roles=["committee_member"],
                          title_vi="Biểu quyết nhân sự nguồn", title_en="Vote on source cadre")
    member = await _sign_in(site, "tv.dangvanlong")
    await expect(member.get_by_role("link", name="Biểu quyết nhân sự nguồn")).to_be_visible()
    await expect(member.get_by_role("link", name="Chấm bài thi viết 0417")).to_have_count(0)
    await member.goto(f"{site.url}/ui/tasks/{essay}")
    await expect(member.get_by_role("alert")).to_contain_text("Vai trò của bạn không thuộc nhóm")
    examiner = await _sign_in(site, "gk.hoangminhduc")
    await examiner.get_by_role("link", name="Chấm bài thi viết 0417").click()
    await expect(examiner.get_by_label("Điểm (bắt buộc)")).to_be_visible()
