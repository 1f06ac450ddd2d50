"""One realistic view per kind of task, as the workflows file them (names with diacritics, ids as ids)."""

from __future__ import annotations

from typing import Any

from contracts.tasks import (
    BelowTargetView,
    CommitteeDecisionView,
    CommitteeVoteView,
    DiscrepancyView,
    Finding,
    NominationConfirmationView,
    Nominee,
    PaperView,
    RegistrationReviewView,
    ScreeningConfirmationView,
    ShortlistCandidate,
    TaskView,
    TieBreakView,
    TiedCandidate,
    dossier_of,
)

C1, C2, C3 = (
    "0b6f8f2e-5d7c-4c1a-9a51-1f0e2d3c4b5a",
    "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4",
)

SAMPLES: dict[str, TaskView] = {
    "registration_review": RegistrationReviewView(
        registration_id="4f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
        official_name="Nguyễn Thị Hoa",
        unit_code="DONGXOAI",
        unit_name="Thành ủy Đồng Xoài",
        programme_code="TCLLCT",
        programme_name="Trung cấp lý luận chính trị",
        plan_year=2026,
        class_id=None,
        policy_version="registration-checks/2026-2",
        findings=[
            Finding(
                code="quota_exceeded",
                severity="warning",
                message_vi="Vượt chỉ tiêu của đơn vị",
                message_en="Exceeds the unit's quota",
            ),
            Finding(
                code="overlap",
                severity="error",
                message_vi="Trùng thời gian với lớp đã đăng ký",
                message_en="Overlaps a class already registered",
            ),
        ],
    ),
    "class_below_target": BelowTargetView(
        class_id="c0ffee00-1111-4222-8333-444455556666",
        class_code="QPAN-2026-01",
        programme_code="QPAN",
        programme_name="Bồi dưỡng kiến thức quốc phòng và an ninh",
        enrolled=12,
        target=30,
        capacity=40,
        enrolment_deadline="2026-03-15",
        start_date="2026-04-01",
        end_date="2026-04-30",
    ),
    "nomination_confirmation": NominationConfirmationView(
        ballots_returned=58,
        proposed=[
            Nominee(
                candidate_id=C1,
                full_name="Trần Văn Bình",
                unit_code="DONGXOAI",
                unit_name="Thành ủy Đồng Xoài",
                group_code="G1",
                detail="35/58 phiếu",
            ),
            Nominee(
                candidate_id=C2,
                full_name="Lê Thị Ánh",
                unit_code="BUDANG",
                unit_name="Huyện ủy Bù Đăng",
                group_code="G1",
                detail="41/58 phiếu",
            ),
        ],
    ),
    "screening_confirmation": ScreeningConfirmationView(
        snapshot_at="2026-05-02T08:30:00+07:00",
        records_digest="ab12cd34",
        eligible=[
            Nominee(
                candidate_id=C1,
                full_name="Trần Văn Bình",
                unit_code="DONGXOAI",
                unit_name="Thành ủy Đồng Xoài",
                group_code="G1",
                detail="Đủ tiêu chuẩn",
            )
        ],
        ineligible=[
            Nominee(
                candidate_id=C2,
                full_name="Lê Thị Ánh",
                unit_code="BUDANG",
                unit_name="Huyện ủy Bù Đăng",
                group_code="G1",
                detail="Chưa đủ thời gian công tác",
            )
        ],
    ),
    "essay_mark": PaperView(code="0417", component="essay", paper_ref="essay:0417"),
    "interview_score": PaperView(code="0417", component="interview", paper_ref="interview:0417"),
    "mark_discrepancy": DiscrepancyView(
        code="0417",
        component="essay",
        marks=["62", "69"],
        spread="7",
        paper_ref="essay:0417",
        resolve_max_spread="5",
        council_chair_min_spread="10",
        scale="100",
        policy_version="exam-marking/circular-06-2020-tt-bnv",
    ),
    "tie_break": TieBreakView(
        candidate_ids=[C1, C2],
        open_seats=1,
        rank=3,
        group_code="G1",
        candidates=[
            TiedCandidate(candidate_id=C1, full_name="Trần Văn Bình", total="152.5", specialised="80", essay="72.5"),
            TiedCandidate(candidate_id=C2, full_name="Lê Thị Ánh", total="152.5", specialised="78", essay="74.5"),
        ],
    ),
    "committee_vote": CommitteeVoteView(
        group="G1",
        group_name="Nguồn Phó Giám đốc Sở",
        members=9,
        fraction="0.5",
        policy_version="committee/party-statute-2011-art-10",
        seats=2,
        candidates=[
            ShortlistCandidate(
                candidate_id=C1,
                full_name="Trần Văn Bình",
                unit_code="DONGXOAI",
                unit_name="Thành ủy Đồng Xoài",
                rank=1,
                total="152.5",
            ),
            ShortlistCandidate(
                candidate_id=C2,
                full_name="Lê Thị Ánh",
                unit_code="BUDANG",
                unit_name="Huyện ủy Bù Đăng",
                rank=2,
                total="150.0",
            ),
            ShortlistCandidate(
                candidate_id=C3,
                full_name="Đặng Quốc Việt",
                unit_code="DONGXOAI",
                unit_name="Thành ủy Đồng Xoài",
                rank=3,
                total="141.0",
            ),
        ],
    ),
    "committee_decision": CommitteeDecisionView(
        group="G1", group_name="Nguồn Phó Giám đốc Sở", votes_cast=8, members=9
    ),
}


def sample_dossier(kind: str) -> dict[str, Any] | None:
    """The sample view of a kind as filed, or None for a kind without a schema."""
    view = SAMPLES.get(kind)
    return None if view is None else dossier_of(view)
