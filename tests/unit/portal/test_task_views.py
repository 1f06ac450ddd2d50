"""The typed view per kind of task: the schema refuses what does not fit, the portal refuses to file it, each kind's
page renders in words (no codes, no reprs), and the server checks a decision form in Vietnamese."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from contracts.human_tasks import TaskAction, TaskInputField
from contracts.tasks import (
    VIEWS,
    DossierInvalid,
    MarkCriterion,
    PaperView,
    RegistrationReviewView,
    dossier_of,
    finding_of,
    parse_view,
    schema_of,
)
from services.portal.domain.forms import check_decision
from services.portal.ui.views import majority_of, policy_name, signature_text
from shared.auth import PORTAL_SESSION, SESSION_COOKIE, token_for_demo_user
from tests.ui.kinds import KINDS
from tests.unit.portal.samples import SAMPLES
from tests.unit.portal.support import Portal, make_portal

WORKFLOW_KINDS = {"registration_review", "class_below_target", "nomination_confirmation", "screening_confirmation",
                  "essay_mark", "interview_score", "mark_discrepancy", "tie_break", "committee_vote",
                  "committee_decision", "process_stalled"}
RAW = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b[0-9a-f]{8}-[0-9a-f]{4}-|\bNone\b|\bTrue\b|\bFalse\b|\{'|\['")


def visible(page: str) -> str:
    """The page's text as a person reads it (no tags, no scripts, no attribute values)."""
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_every_kind_a_workflow_files_has_a_schema_and_a_sample() -> None:
    assert {k for v in VIEWS for k in v.kinds} == WORKFLOW_KINDS
    for kind in WORKFLOW_KINDS:
        schema = schema_of(kind)
        assert schema is not None and isinstance(SAMPLES[kind], schema)
        assert parse_view(kind, dossier_of(SAMPLES[kind])) == SAMPLES[kind]  # filed as JSON, read back the same


def test_a_dossier_that_does_not_fit_its_kind_is_refused_with_the_fields_named() -> None:
    good = dossier_of(SAMPLES["registration_review"])
    with pytest.raises(DossierInvalid) as missing:
        parse_view("registration_review", {k: v for k, v in good.items() if k != "official_name"})
    assert missing.value.fields == ["official_name"]
    with pytest.raises(DossierInvalid) as extra:
        parse_view("essay_mark", {**dossier_of(SAMPLES["essay_mark"]), "full_name": "Nguyễn Thị Hoa"})
    assert extra.value.fields == ["full_name"]  # a marker's paper never carries a name
    with pytest.raises(DossierInvalid):
        parse_view("committee_vote", {"group": "G1", "candidates": "Trần Văn Bình"})
    assert parse_view("portal_probe", {"Nội dung": "Kiểm tra"}) is None  # a kind without a schema: shown as rows


def test_a_paper_view_has_no_room_for_who_wrote_it() -> None:
    assert set(PaperView.model_fields) == {"code", "component", "paper_ref", "subject_user_id", "scale", "pass_mark",
                                           "weight", "criteria", "policy_version"}
    assert set(MarkCriterion.model_fields) == {"label_vi", "label_en", "points"}  # the guide, not the candidate


def test_an_event_finding_of_the_older_shape_still_reads() -> None:
    old = finding_of({"code": "duplicate", "message": "Đã học"})
    assert (old.severity, old.message_vi, old.message_en) == ("warning", "Đã học", "Đã học")
    view = RegistrationReviewView(registration_id="r", official_name="Nguyễn Thị Hoa", unit_code="DONGXOAI",
                                  programme_code="TCLLCT", plan_year=2026, findings=[old])
    assert dossier_of(view)["findings"][0]["code"] == "duplicate"


async def test_the_portal_refuses_to_file_a_dossier_that_does_not_fit(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    with pytest.raises(ApplicationError) as refused:
        await portal.ask(kind="committee_vote", dossier={"candidates": [{"candidate_id": "x"}]})
    assert refused.value.non_retryable and refused.value.type == "task_dossier_invalid"


def test_rules_in_words() -> None:
    assert majority_of(9, "0.5") == 5 and majority_of(10, "0.5") == 6 and majority_of(None, "0.5") is None
    assert policy_name("committee/party-statute-2011-art-10", "vi").startswith("Điều lệ Đảng (2011)")
    assert policy_name("no-such-version", "vi") == "—"  # never the code
    approve = {"name": "approve", "label_vi": "Phê duyệt", "label_en": "Approve", "signature": "approve"}
    assert signature_text(approve, "Xét duyệt đăng ký", "vi") == "Tôi phê duyệt: Xét duyệt đăng ký."


def test_the_server_checks_only_the_chosen_actions_inputs_in_vietnamese() -> None:
    mark = {"name": "mark", "label_vi": "Nhập điểm", "label_en": "Mark", "signature": "mark", "inputs": [
        {"name": "mark", "label_vi": "Điểm", "label_en": "Mark", "kind": "number", "required": True,
         "minimum": 0, "maximum": 100, "choices": []}]}
    refuse = {"name": "refuse", "label_vi": "Từ chối", "label_en": "Refuse", "signature": "refuse",
              "requires_comment": True, "inputs": []}
    assert [e.vi for e in check_decision(mark, {}, "")] == ["Chưa nhập «Điểm»."]
    assert [e.vi for e in check_decision(mark, {"mark": "120"}, "")] == ["«Điểm» phải từ 0 đến 100."]
    assert [e.vi for e in check_decision(mark, {"mark": "bảy"}, "")] == ["«Điểm» phải là một số."]
    assert check_decision(mark, {"mark": "72,5"}, "") == []
    assert [e.field for e in check_decision(refuse, {"mark": "1"}, "")] == ["comment"]  # another action's input
    assert [e.field for e in check_decision(None, {}, "")] == ["action"]


async def _page(portal: Portal, user: str, path: str) -> str:
    token = token_for_demo_user(portal.settings, user, audience=[PORTAL_SESSION])
    async with portal.client() as client:
        client.cookies.set(SESSION_COOKIE, token)
        response = await client.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_each_kinds_page_is_in_words(tmp_path: Path, lang: str) -> None:
    portal = await make_portal(tmp_path)
    for k in KINDS:
        task_id = await portal.ask(key=k.kind, kind=k.kind, title_vi=k.title_vi, title_en=k.title_en,
                                   candidate_roles=k.roles, actions=k.actions, assignee=k.assignee,
                                   unit_scope=k.unit_scope, dossier=k.dossier)
        text = visible(await _page(portal, k.user, f"/ui/tasks/{task_id}?lang={lang}"))
        assert RAW.findall(text) == [], k.kind
        if k.kind in ("essay_mark", "interview_score", "mark_discrepancy"):
            assert "0417" in text and "Nguyễn" not in text and "Đồng Xoài" not in text
    vote = visible(await _page(portal, "tv.dangvanlong", f"/ui/tasks/{await _id(portal, 'committee_vote')}"))
    if lang == "vi":
        assert "cần ít nhất 5 phiếu tán thành" in vote and "Tán thành" in vote and "Không biểu quyết" in vote


async def _id(portal: Portal, key: str) -> str:
    from sqlalchemy import select

    from services.portal.models import Task
    async with portal.ctx.sessions() as session:
        return str((await session.execute(select(Task.id).where(Task.task_key == key))).scalar_one())


async def test_a_decision_form_refused_by_the_server_says_why_in_vietnamese(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    actions: list[Any] = [TaskAction("mark", "Nhập điểm", "Enter the mark", "mark", inputs=[
        TaskInputField("mark", "Điểm", "Mark", kind="number", minimum=0, maximum=100)])]
    task_id = await portal.ask(key="essay", kind="essay_mark", candidate_roles=["examiner"], actions=actions,
                               assignee="gk.hoangminhduc", title_vi="Chấm bài viết — phách 0417",
                               title_en="Mark essay — code 0417")
    token = token_for_demo_user(portal.settings, "gk.hoangminhduc", audience=[PORTAL_SESSION])
    async with portal.client() as client:
        client.cookies.set(SESSION_COOKIE, token)
        refused = await client.post(f"/ui/tasks/{task_id}/act", data={"action": "mark", "input.mark.mark": "101"})
        shown = await client.post(f"/ui/tasks/{task_id}/act", data={"action": "mark", "input.mark.mark": "72,5"})
    assert refused.status_code == 422 and "«Điểm» phải từ 0 đến 100." in visible(refused.text)
    confirm = visible(shown.text)
    assert "Tôi xác nhận điểm đã nhập là điểm tôi chấm: Chấm bài viết — phách 0417." in confirm
    assert 'value="72.5"' in shown.text and portal.sender.sent == []  # nothing is sent before the confirmation


RECORD_LINK = re.compile(r'href="/ui/officials/[0-9a-f-]{36}"')
REVIEW_TITLES = {"title_vi": "Xem xét đăng ký của Nguyễn Thị Hoa", "title_en": "Review the registration"}


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_review_links_the_officials_record_in_words(tmp_path: Path, lang: str) -> None:
    portal = await make_portal(tmp_path)
    sample: Any = SAMPLES["registration_review"]
    task_id = await portal.ask(kind="registration_review", candidate_roles=["organization_board"], **REVIEW_TITLES)
    page = await _page(portal, "btc.nguyenvanhai", f"/ui/tasks/{task_id}?lang={lang}")
    link = re.search(r'<a href="/ui/officials/([0-9a-f-]{36})">([^<]+)</a>', page)
    assert link is not None and link.group(1) == sample.official_id
    assert html.unescape(link.group(2)) == ("Xem hồ sơ cán bộ" if lang == "vi" else "Open the official's record")
    assert sample.official_id not in visible(page)  # the id only in the href


async def test_the_review_has_no_link_without_the_id_or_for_who_may_not_read_records(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    older = await portal.ask(key="older", kind="registration_review", candidate_roles=["organization_board"],
                             dossier={"official_id": "", "facts": None}, **REVIEW_TITLES)  # an event before the id
    page = await _page(portal, "btc.nguyenvanhai", f"/ui/tasks/{older}")
    assert not RECORD_LINK.search(page) and "Nguyễn Thị Hoa" in visible(page) and not RAW.findall(visible(page))
    chair = await portal.ask(key="chair", kind="registration_review", candidate_roles=["committee_chair"],
                             **REVIEW_TITLES)  # a standing committee's approver may not open the records page
    assert not RECORD_LINK.search(await _page(portal, "bt.ngoquangvinh", f"/ui/tasks/{chair}"))


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_review_says_where_the_class_is_held_and_its_hours(tmp_path: Path, lang: str) -> None:
    portal = await make_portal(tmp_path)
    task_id = await portal.ask(kind="registration_review", **REVIEW_TITLES)
    text = " ".join(visible(await _page(portal, "btc.nguyenvanhai", f"/ui/tasks/{task_id}?lang={lang}")).split())
    assert "Trường Chính trị tỉnh Bình Phước — Cơ sở 2, Đồng Xoài" in text
    assert ("Số giờ học 880 giờ" if lang == "vi" else "Training hours 880 hours") in text
    facts = dossier_of(SAMPLES["registration_review"])["facts"]
    unset = {**facts, "class_institution": "", "class_venue": "", "class_hours": None}  # scheduling did not say
    bare = await portal.ask(key="bare", kind="registration_review", dossier={"facts": unset}, **REVIEW_TITLES)
    text = " ".join(visible(await _page(portal, "btc.nguyenvanhai", f"/ui/tasks/{bare}?lang={lang}")).split())
    place, hours, unknown = ("Nơi học", "Số giờ học", "chưa có") if lang == "vi" else ("Place", "Training hours",
                                                                                       "not set")
    assert f"{place} {unknown}" in text and f"{hours} {unknown}" in text and not RAW.findall(text)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_reviews_lists_name_the_programmes(tmp_path: Path, lang: str) -> None:
    portal = await make_portal(tmp_path)
    task_id = await portal.ask(kind="registration_review", **REVIEW_TITLES)
    text = " ".join(visible(await _page(portal, "btc.nguyenvanhai", f"/ui/tasks/{task_id}?lang={lang}")).split())
    assert "Bồi dưỡng kiến thức nhóm 4 (BDKT-164) — KT-26-03" in text  # trained this year
    assert text.count("Bồi dưỡng kiến thức quốc phòng và an ninh nhóm 3 (QPAN3)") == 2  # a class, a registration
    assert "Trung cấp lý luận chính trị" in text and not RAW.findall(text)
    # an older dossier without names shows the codes
    facts = dossier_of(SAMPLES["registration_review"])["facts"]
    coded = {**facts, "trained_this_year": [{**s, "programme_name": ""} for s in facts["trained_this_year"]]}
    older = await portal.ask(key="older", kind="registration_review", dossier={"facts": coded}, **REVIEW_TITLES)
    text = " ".join(visible(await _page(portal, "btc.nguyenvanhai", f"/ui/tasks/{older}?lang={lang}")).split())
    assert "BDKT-164 — KT-26-03" in text and "(BDKT-164)" not in text
