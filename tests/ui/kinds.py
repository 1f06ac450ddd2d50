"""Each kind of task as its workflow files it (the sample view, the roles, the actions) and who decides it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.human_tasks import TaskAction, TaskInputField
from contracts.stalls import stall_actions
from tests.unit.portal.samples import SAMPLES, sample_dossier
from workflows.registration_review import review_actions

VOTE_CHOICES = ["approve", "reject", "abstain"]


def _mark(name: str = "mark", label: str = "Điểm") -> TaskAction:  # as workflows/selection/essay.py declares it
    return TaskAction(name, "Nhập điểm", "Enter the mark", signature="mark",
                      inputs=[TaskInputField("mark", label, "Mark", kind="number", minimum=0, maximum=100)])


def committee_actions() -> list[TaskAction]:
    """As workflows/selection/committee.py declares the vote: one choice per candidate."""
    view: Any = SAMPLES["committee_vote"]
    return [TaskAction("vote", "Biểu quyết", "Vote", signature="vote", inputs=[
        TaskInputField(c.candidate_id, f"{c.full_name} — hạng {c.rank}, {c.total} điểm",
                       f"{c.full_name} — rank {c.rank}, total {c.total}", kind="choice", choices=VOTE_CHOICES)
        for c in view.candidates])]


@dataclass
class Kind:
    """One kind of task for the walking test."""

    kind: str
    title_vi: str
    title_en: str
    roles: list[str]
    user: str
    actions: list[TaskAction]
    assignee: str | None = None
    unit_scope: str | None = None
    fill: dict[str, str] = field(default_factory=dict)  # label → value for the first action's confirm page

    @property
    def dossier(self) -> dict[str, Any]:
        found = sample_dossier(self.kind)
        assert found is not None
        return found


KINDS: list[Kind] = [
    Kind("registration_review", "Xem xét đăng ký của Nguyễn Thị Hoa — Trung cấp lý luận chính trị (2026)",
         "Review the registration of Nguyễn Thị Hoa — Intermediate political theory (2026)",
         ["unit_officer", "organization_board"], "btc.nguyenvanhai", review_actions(), unit_scope="DONGXOAI"),
    Kind("class_below_target", "Lớp QPAN-2026-01 dưới chỉ tiêu chiêu sinh (12/30)",
         "Class QPAN-2026-01 below its enrolment target (12/30)", ["organization_board"], "btc.nguyenvanhai", [
             TaskAction("open_anyway", "Vẫn mở lớp", "Open anyway", "decide"),
             TaskAction("extend", "Gia hạn chiêu sinh", "Extend the deadline", "decide",
                        inputs=[TaskInputField("days", "Số ngày gia hạn", "Days", "number", True, 1, 60)]),
             TaskAction("merge", "Gộp vào lớp khác", "Merge into another class", "decide",
                        inputs=[TaskInputField("target_class_id", "Lớp được gộp vào", "Class to merge into", "choice",
                                               choices=["QPAN-2026-02"])]),
             TaskAction("cancel", "Hủy lớp", "Cancel the class", "decide", requires_comment=True)]),
    Kind("nomination_confirmation", "Xác nhận danh sách được giới thiệu — 134-KH/TU",
         "Confirm the nominees proposed by the conferences — 134-KH/TU", ["organization_board"], "btc.nguyenvanhai",
         [TaskAction("confirm", "Xác nhận", "Confirm", signature="approve")]),
    Kind("screening_confirmation", "Xác nhận kết quả sơ tuyển — 134-KH/TU",
         "Confirm the pre-screening results — 134-KH/TU", ["organization_board"], "btc.nguyenvanhai",
         [TaskAction("confirm", "Xác nhận danh sách", "Confirm the list", signature="approve")]),
    Kind("essay_mark", "Chấm bài viết — phách 0417 (lượt 1)", "Mark essay — code 0417 (round 1)", ["examiner"],
         "gk.hoangminhduc", [_mark()], assignee="gk.hoangminhduc", fill={"mark": "72,5"}),
    Kind("interview_score", "Chấm phỏng vấn — phách 0417 (lượt 1)", "Score interview — code 0417 (round 1)",
         ["examiner"], "gk.hoangminhduc", [_mark()], assignee="gk.hoangminhduc", fill={"mark": "68"}),
    Kind("mark_discrepancy", "Điểm chênh lệch 7 — phách 0417", "Marks differ by 7 — code 0417", ["marking_head"],
         "gk.vuthilan", [_mark("decide", "Điểm quyết định")], fill={"mark": "66"}),
    Kind("tie_break", "Quyết định thứ tự thí sinh bằng điểm — nhóm G1", "Order the tied candidates — group G1",
         ["council_chair"], "hd.phamvantoan", [TaskAction("order", "Xếp thứ tự", "Order", signature="decide", inputs=[
             TaskInputField("order", "Thứ tự (mã, cách nhau bởi dấu phẩy)", "Order (comma-separated ids)")])]),
    Kind("committee_vote", "Biểu quyết danh sách nguồn — Nguồn Phó Giám đốc Sở",
         "Vote on the source-cadre list — Nguồn Phó Giám đốc Sở", ["committee_member"], "tv.dangvanlong",
         committee_actions(), assignee="tv.dangvanlong"),
    Kind("committee_decision", "Ghi số quyết định — Nguồn Phó Giám đốc Sở",
         "Record the decision number — Nguồn Phó Giám đốc Sở", ["committee_chair"], "bt.ngoquangvinh",
         [TaskAction("decide", "Ký quyết định", "Sign the decision", signature="decide", inputs=[
             TaskInputField("decision_number", "Số quyết định", "Decision number")])],
         assignee="bt.ngoquangvinh", fill={"decision_number": "134-QĐ/TU"}),
    Kind("process_stalled",
         "Quy trình bị gián đoạn — Xét duyệt đăng ký đào tạo — Nguyễn Thị Hoa, TCLLCT (2026): Ghi quyết định xét duyệt "
         "vào hồ sơ đăng ký",
         "A process has stalled — Training registration review — Nguyễn Thị Hoa, TCLLCT (2026): Record the review "
         "decision on the registration", ["organization_board"], "btc.nguyenvanhai", stall_actions()),
]
