"""One realistic view per kind of task, as the workflows file them (names with diacritics, ids as ids)."""

from __future__ import annotations

from typing import Any

from contracts.tasks import (
    BelowTargetView,
    ClassSpan,
    CommitteeDecisionView,
    CommitteeVoteView,
    ConferenceCount,
    ConferenceVote,
    CriterionCheck,
    DiscrepancyView,
    Finding,
    MarkCriterion,
    MergeClass,
    NominationConfirmationView,
    Nominee,
    PaperView,
    ProcessStalledView,
    RegistrationReviewView,
    ReviewFacts,
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

QPAN3 = "Bồi dưỡng kiến thức quốc phòng và an ninh nhóm 3"
SAMPLES: dict[str, TaskView] = {
    "registration_review": RegistrationReviewView(
        registration_id="4f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
        official_name="Nguyễn Thị Hoa",
        official_id="6b1e0f4d-2c3a-4e5b-9f80-71a2b3c4d5e6",
        unit_code="DONGXOAI",
        unit_name="Thành ủy Đồng Xoài",
        programme_code="TCLLCT",
        programme_name="Trung cấp lý luận chính trị",
        plan_year=2026,
        policy_version="registration-checks/2026-2",
        managing_body_vi="Lãnh đạo đơn vị",
        managing_body_en="the unit's leadership",
        authority_vi="Thuộc diện Lãnh đạo đơn vị quản lý: các trường hợp còn lại do cơ quan, đơn vị sử dụng cán bộ "
        "quản lý (theo Quy định 80-QĐ/TW (2022) về phân cấp quản lý cán bộ và bổ nhiệm, giới thiệu cán bộ ứng cử)",
        authority_en="Managed by the unit's leadership: everyone else is managed by the agency or unit they work for "
        "(under Regulation 80-QD/TW (2022) on the division of authority over cadres and their appointment)",
        authority_version="management-authority/qd-80-qd-tw-2022",
        class_id="c-tcllct-k12",
        facts=ReviewFacts(
            position="Phó Trưởng phòng", title="", category="civil_servant", age=41, retirement_date="2045-08-31",
            education="bachelor", political_theory="elementary", in_planning=True,
            planning=["Trưởng phòng Nội vụ (2025-2030)"], class_code="TC-26-1", class_start="2026-03-02",
            class_end="2026-08-28", class_institution="Trường Chính trị tỉnh Bình Phước",
            class_venue="Cơ sở 2, Đồng Xoài", class_hours=880,
            trained_this_year=[ClassSpan(programme_code="BDKT-164", programme_name="Bồi dưỡng kiến thức nhóm 4",
                                         class_code="KT-26-03", start="2026-01-12", end="2026-01-16")],
            classes=[ClassSpan(programme_code="QPAN3", programme_name=QPAN3, class_code="QP3-26", start="2026-04-06",
                               end="2026-04-17")],
            other_registrations=[ClassSpan(programme_code="QPAN3", programme_name=QPAN3, plan_year=2026,
                                           status="accepted", start="2026-04-06", end="2026-04-17")],
            quota_allocated=12, quota_used=13),
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
        waitlist=["Phạm Thị Ánh", "Lê Văn Đức", "Trần Minh Hùng"],
        merge_options=[MergeClass(class_code="QPAN-2026-02", start_date="2026-05-04", end_date="2026-05-29",
                                  seats_left=18)],
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
        conferences=[
            ConferenceCount(
                code="HN-DONGXOAI", convened=60, ballots_returned=58, threshold_percent="50", base="convened",
                base_count=60, nominees=[
                    ConferenceVote(full_name="Lê Thị Ánh", votes=41, proposed=True),
                    ConferenceVote(full_name="Trần Văn Bình", votes=35, proposed=True),
                    ConferenceVote(full_name="Đỗ Minh Quân", votes=22, proposed=False),
                ]),
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
                group_name="Nguồn Phó Giám đốc Sở",
                detail="meets every criterion",
                detail_vi="Đạt tất cả tiêu chuẩn",
                criteria=[CriterionCheck(passed=True, explanation_vi="53 tuổi, không quá 55 khi quy hoạch",
                                         explanation_en="53 years old, not over 55 when planned"),
                          CriterionCheck(passed=True, explanation_vi="Cao cấp lý luận chính trị",
                                         explanation_en="advanced political theory")],
            )
        ],
        ineligible=[
            Nominee(
                candidate_id=C2,
                full_name="Lê Thị Ánh",
                unit_code="BUDANG",
                unit_name="Huyện ủy Bù Đăng",
                group_code="G1",
                group_name="Nguồn Phó Giám đốc Sở",
                detail="not enough years of service",
                detail_vi="Chưa đủ thời gian công tác",
                criteria=[CriterionCheck(passed=False, explanation_vi="3 năm công tác, cần ít nhất 5",
                                         explanation_en="3 years of service, at least 5 required")],
            )
        ],
    ),
    "essay_mark": PaperView(code="0417", component="essay", paper_ref="essay:0417", scale="100", pass_mark="50",
                            weight="0.5", policy_version="exam-marking/decree-170-2025", criteria=[
                                MarkCriterion(label_vi="Nội dung: quan điểm, đường lối của Đảng",
                                              label_en="Content: the Party's line", points="40"),
                                MarkCriterion(label_vi="Liên hệ thực tiễn của địa phương",
                                              label_en="Links to the province's practice", points="30"),
                                MarkCriterion(label_vi="Lập luận và giải pháp", label_en="Reasoning and solutions",
                                              points="20"),
                                MarkCriterion(label_vi="Bố cục, hình thức trình bày", label_en="Presentation",
                                              points="10")]),
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
    "process_stalled": ProcessStalledView(
        process_vi="Xét duyệt đăng ký đào tạo — Nguyễn Thị Hoa, TCLLCT (2026)",
        process_en="Training registration review — Nguyễn Thị Hoa, TCLLCT (2026)",
        step_vi="Ghi quyết định xét duyệt vào hồ sơ đăng ký",
        step_en="Record the review decision on the registration",
        error_vi="Không kết nối được tới cơ sở dữ liệu hoặc dịch vụ cần thiết",
        error_en="A database or a service the step needs could not be reached",
        attempts=30,
        since="2026-03-14T02:15:00+00:00",
        stalls=1,
        activity="registration.apply_review_decision",
    ),
}


def sample_dossier(kind: str) -> dict[str, Any] | None:
    """The sample view of a kind as filed, or None for a kind without a schema."""
    view = SAMPLES.get(kind)
    return None if view is None else dossier_of(view)
