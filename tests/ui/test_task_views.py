"""Every kind of task as the person who decides sees it, in real Chromium, in Vietnamese and in English.

The walking test opens each kind's task page and confirmation page (and the inbox and the examiner's marking page)
and fails on anything raw in the visible text: a snake_case key, a UUID, None, True/False, a Python dict or list
repr, or a label of the other language; axe-core (tests/ui/axe, pinned, installed by scripts/ensure-ui-assets.sh)
must report no serious or critical violation. Screenshots of each kind in both languages go to test-artifacts/.

The acceptance flows decide through real Temporal Updates (PortalProbe filing the kind's real view and actions on
the time-skipping server): a committee member casts a ballot, an examiner marks ten papers on one page, a Board
member decides a registration review, a marking head resolves a discrepancy."""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts import queues
from contracts.tasks import PaperView, dossier_of
from services.portal.adapters.updates import TemporalUpdateSender
from services.portal.models import Task
from services.portal.ui.i18n import WORDS
from tests.support.portal_probe import PortalProbe, PortalProbeInput
from tests.support.seal import TEST_SIGNER
from tests.support.tools import start_time_skipping
from tests.ui.kinds import KINDS, Kind
from tests.unit.portal.samples import SAMPLES
from tests.unit.portal.support import Portal, make_portal

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "ui" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

RAW = [
    ("a snake_case key", re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")),
    ("a UUID", re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)),
    ("None", re.compile(r"\bNone\b")),
    ("True/False", re.compile(r"\b(True|False)\b")),
    ("a dict repr", re.compile(r"\{'")),
    ("a list repr", re.compile(r"\['")),
]


def _other_language_labels(lang: str) -> list[str]:
    """The labels of the other language that would show an untranslated page (words the two languages share and
    the language switch, which names the other language on purpose, are left out)."""
    mine, other = (0, 1) if lang == "vi" else (1, 0)
    labels = {pair[other] for key, pair in WORDS.items() if key != "switch" and pair[other] != pair[mine]}
    return sorted(label for label in labels if len(label) > 3 and "{" not in label)


async def raw_in(page: Page, lang: str) -> list[str]:
    """What is raw or untranslated in the page's visible text."""
    text: str = await page.evaluate("document.body.innerText")
    found = [f"{what}: {m.group(0)!r}" for what, rx in RAW for m in rx.finditer(text)]
    for label in _other_language_labels(lang):
        if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text):
            found.append(f"untranslated: {label!r}")
    return found


async def serious_axe(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page."""
    assert AXE.exists(), "axe-core is not installed: bash scripts/ensure-ui-assets.sh"
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v.get("impact") in ("serious", "critical")]


async def check_page(page: Page, lang: str, shot: str) -> None:
    """Nothing raw, nothing untranslated, no serious accessibility fault; keep a screenshot."""
    assert await page.get_attribute("html", "lang") == lang
    assert await raw_in(page, lang) == [], f"{shot}: raw text on the page"
    assert await serious_axe(page) == [], f"{shot}: axe-core"
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)


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


async def sign_in(site: Site, user: str, *, width: int = 1200) -> Page:
    page = await (await site.browser.new_context(viewport={"width": width, "height": 900})).new_page()
    await page.goto(f"{site.url}/ui/signin?lang=vi")
    await page.get_by_label("Người dùng").select_option(user)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Hộp công việc")).to_be_visible()
    return page


async def file(site: Site, k: Kind, *, dossier: dict[str, Any] | None = None, assignee: str | None = None,
               title_vi: str | None = None) -> tuple[WorkflowHandle[Any, Any], str]:
    """Start a PortalProbe filing the kind's view and actions; wait for its task; (handle, task id)."""
    handle = await site.env.client.start_workflow(PortalProbe.run, PortalProbeInput(
        candidate_roles=k.roles, kind=k.kind, unit_scope=k.unit_scope, assignee=assignee or k.assignee,
        dossier=dossier or k.dossier, actions=k.actions, title_vi=title_vi or k.title_vi, title_en=k.title_en),
        id=f"ui-{k.kind}-{uuid.uuid4().hex[:8]}", task_queue=site.queue)
    for _ in range(100):
        async with site.portal.ctx.sessions() as session:
            task = (await session.execute(select(Task).where(Task.workflow_id == handle.id))).scalar_one_or_none()
        if task is not None:
            return handle, task.id
        await asyncio.sleep(0.1)
    raise AssertionError(f"{k.kind}: the workflow filed no task")


async def test_every_kind_is_shown_in_words_in_both_languages(site: Site) -> None:
    for k in KINDS:
        _, task_id = await file(site, k)
        page = await sign_in(site, k.user)
        for lang in ("vi", "en"):
            await page.goto(f"{site.url}/ui/tasks/{task_id}?lang={lang}")
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await check_page(page, lang, f"task-{k.kind}-{lang}")
        await page.goto(f"{site.url}/ui/inbox?lang=vi")
        await check_page(page, "vi", f"inbox-{k.user}-vi")
        await page.context.close()


async def test_every_kinds_confirmation_says_what_the_signature_means(site: Site) -> None:
    for k in KINDS:
        _, task_id = await file(site, k)
        page = await sign_in(site, k.user)
        for lang in ("vi", "en"):
            await page.goto(f"{site.url}/ui/tasks/{task_id}?lang={lang}")
            action = k.actions[0]
            if k.kind == "tie_break":  # a place per candidate, by name (the ids never show)
                for place, select in enumerate(await page.locator("select[name^='pos.']").all(), start=1):
                    await select.select_option(str(place))
            elif k.kind == "committee_vote":
                for radio in await page.get_by_role("radio", name="Tán thành" if lang == "vi" else "Approve",
                                                    exact=True).all():
                    await radio.check()
            else:
                if len(k.actions) > 1:
                    await page.get_by_role("radio", name=action.label_vi if lang == "vi" else action.label_en,
                                           exact=True).check()
                for f in action.inputs:
                    await page.locator(f"[name='input.{action.name}.{f.name}']").fill(
                        k.fill.get(f.name, "").replace(",", ".") if f.kind == "number" else k.fill.get(f.name, ""))
            await page.get_by_role("button", name="Tiếp tục" if lang == "vi" else "Continue").click()
            heading = "Xác nhận quyết định" if lang == "vi" else "Confirm the decision"
            await expect(page.get_by_role("heading", name=heading)).to_be_visible()
            await expect(page.locator(".signature")).to_contain_text("Tôi " if lang == "vi" else "I ")
            await check_page(page, lang, f"confirm-{k.kind}-{lang}")
        await page.context.close()


def _kind(name: str) -> Kind:
    return next(k for k in KINDS if k.kind == name)


async def test_a_committee_member_casts_a_ballot(site: Site) -> None:
    handle, task_id = await file(site, _kind("committee_vote"))
    page = await sign_in(site, "tv.dangvanlong")
    await page.get_by_role("link", name=re.compile("Biểu quyết danh sách nguồn")).click()
    await expect(page.get_by_text("hơn một nửa tổng số ủy viên")).to_be_visible()  # the rule, stated
    await page.get_by_role("button", name="Tiếp tục").click()  # nothing chosen: the browser refuses
    await expect(page.get_by_role("heading", name="Xác nhận quyết định")).to_have_count(0)
    view: Any = SAMPLES["committee_vote"]
    choices = {"Trần Văn Bình": "Tán thành", "Lê Thị Ánh": "Không tán thành", "Đặng Quốc Việt": "Không biểu quyết"}
    for c in view.candidates:
        group = page.get_by_role("group", name=re.compile(c.full_name))
        await group.get_by_role("radio", name=choices[c.full_name], exact=True).check()
    await page.get_by_role("button", name="Tiếp tục").click()
    await expect(page.get_by_role("heading", name="Tóm tắt phiếu")).to_be_visible()
    for name, choice in choices.items():
        await expect(page.get_by_role("row", name=re.compile(f"{name}.*{choice}$"))).to_be_visible()
    await expect(page.locator(".signature")).to_contain_text("Tôi biểu quyết như tóm tắt trên")
    await page.screenshot(path=str(ARTIFACTS / "flow-committee-ballot-summary.png"), full_page=True)
    await page.get_by_role("button", name="Xác nhận").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    result: Any = await handle.result()
    assert result.action == "vote" and result.actor_id == "tv.dangvanlong"
    by_id = {c.candidate_id: c.full_name for c in view.candidates}
    wanted = {"Tán thành": "approve", "Không tán thành": "reject", "Không biểu quyết": "abstain"}
    assert {by_id[k]: v for k, v in result.inputs.items()} == {n: wanted[c] for n, c in choices.items()}
    await page.goto(f"{site.url}/ui/tasks/{task_id}")
    await expect(page.get_by_role("heading", name="Quyết định đã ghi")).to_be_visible()


async def test_an_examiner_marks_ten_papers_on_one_page(site: Site) -> None:
    k = _kind("essay_mark")
    codes = [f"{n:04d}" for n in range(101, 111)]
    handles = [(await file(site, k, dossier=dossier_of(PaperView(code=code, component="essay",
                                                              paper_ref=f"essay:{code}")),
                           title_vi=f"Chấm bài viết — phách {code}"))[0] for code in codes]
    page = await sign_in(site, "gk.hoangminhduc")
    await page.goto(f"{site.url}/ui/marking")
    await expect(page.get_by_role("row")).to_have_count(11)  # the header and ten papers
    await check_page(page, "vi", "marking-page-vi")
    row = page.get_by_role("row", name=re.compile("0101"))
    await row.get_by_role("spinbutton").fill("120")  # out of range: the browser refuses
    await row.get_by_role("button", name="Ghi điểm").click()
    await expect(page.get_by_role("status")).to_have_count(0)
    for i, code in enumerate(codes):
        row = page.get_by_role("row", name=re.compile(code))
        await row.get_by_role("spinbutton").fill(str(60 + i))
        await row.get_by_role("button", name="Ghi điểm").click()
        await expect(page.get_by_role("status")).to_contain_text(f"Đã ghi điểm bài phách {code}")
    await page.goto(f"{site.url}/ui/marking")
    await expect(page.get_by_text("Không còn bài nào cần chấm.")).to_be_visible()
    results = [await h.result() for h in handles]
    assert [(r.actor_id, r.inputs["mark"]) for r in results] == [("gk.hoangminhduc", str(60 + i)) for i in range(10)]


async def test_a_board_member_decides_a_review(site: Site) -> None:
    handle, _ = await file(site, _kind("registration_review"))
    page = await sign_in(site, "btc.nguyenvanhai")
    await page.get_by_role("link", name=re.compile("Xem xét đăng ký của Nguyễn Thị Hoa")).click()
    await expect(page.get_by_text("Trùng thời gian với lớp đã đăng ký")).to_be_visible()
    await page.get_by_role("radio", name="Trả lại để sửa").check()
    await expect(page.get_by_label("Ý kiến (bắt buộc)")).to_be_visible()
    await page.get_by_label("Ý kiến (bắt buộc)").evaluate("el => el.removeAttribute('required')")
    await page.get_by_role("button", name="Tiếp tục").click()  # the server checks too, in Vietnamese
    await expect(page.get_by_role("alert")).to_contain_text("Cần nhập ý kiến")
    await page.get_by_role("radio", name="Phê duyệt").check()
    await page.get_by_label("Ý kiến").fill("Đồng ý, đơn vị còn chỉ tiêu")
    await page.get_by_role("button", name="Tiếp tục").click()
    await expect(page.locator(".signature")).to_contain_text("Tôi phê duyệt: Xem xét đăng ký của Nguyễn Thị Hoa")
    await page.get_by_role("button", name="Xác nhận").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    result: Any = await handle.result()
    assert (result.action, result.actor_id, result.comment) == ("approve", "btc.nguyenvanhai",
                                                                "Đồng ý, đơn vị còn chỉ tiêu")


async def test_a_marking_head_resolves_a_discrepancy(site: Site) -> None:
    handle, _ = await file(site, _kind("mark_discrepancy"))
    page = await sign_in(site, "gk.vuthilan")
    await page.get_by_role("link", name=re.compile("Điểm chênh lệch 7")).click()
    await expect(page.get_by_text("Trưởng ban chấm quyết định điểm")).to_be_visible()
    mark = page.get_by_label(re.compile("Điểm quyết định"))
    await mark.fill("66.5")
    await page.get_by_role("button", name="Tiếp tục").click()
    await expect(page.get_by_role("row", name=re.compile("Điểm quyết định.*66"))).to_be_visible()
    await page.get_by_role("button", name="Xác nhận").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    result: Any = await handle.result()
    assert (result.action, result.actor_id, result.inputs) == ("decide", "gk.vuthilan", {"mark": "66.5"})
