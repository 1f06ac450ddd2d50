"""The words the printed outcome uses for the report's figures, plan rows, registration outcomes and findings, so
people read Vietnamese, never a field code or a Python value."""

from __future__ import annotations

from typing import Any

FIGURES: dict[str, str] = {
    "selected": "được chọn", "group_1": "đối tượng 1", "group_2": "đối tượng 2", "classes": "lớp",
    "students": "học viên", "persons_sent": "người được cử", "registered": "người", "master": "thạc sĩ",
    "doctorate": "tiến sĩ", "persons": "người", "participants": "lượt học viên", "participations": "lượt",
    "participations_at_least": "lượt (tối thiểu)", "quota": "chỉ tiêu", "priority_fields": "lĩnh vực ưu tiên",
    "full_time": "hệ tập trung", "part_time": "hệ không tập trung",
}
PLAN_ROWS: dict[str, str] = {
    "political_theory_advanced": "Đào tạo cao cấp lý luận chính trị",
    "political_theory_intermediate": "Đào tạo trung cấp lý luận chính trị",
    "postgraduate": "Đào tạo sau đại học",
    "title_planning_party_mass_org_defense_security": "Bồi dưỡng theo chức danh, cán bộ quy hoạch nguồn cấp ủy, "
                                                      "nghiệp vụ xây dựng Đảng, đoàn thể, quốc phòng và an ninh",
}
OUTCOMES: dict[str, str] = {"accepted": "chấp nhận", "flagged": "chuyển cơ quan quản lý xem xét",
                            "refused": "bị từ chối"}
STATUSES: dict[str, str] = {"accepted": "đã chấp nhận", "approved": "cơ quan quản lý phê duyệt",
                            "under_review": "đang chờ cơ quan quản lý xem xét", "refused": "bị từ chối",
                            "returned": "trả lại để sửa"}
FINDINGS: dict[str, str] = {
    "eligibility": "không đúng đối tượng của chương trình",
    "political_theory_criteria": "chưa đúng đối tượng, tiêu chuẩn học lý luận chính trị",
    "source_cadre_criteria": "chưa đúng đối tượng lớp tạo nguồn (Kế hoạch 134-KH/TU)",
    "defence_security_group": "không đúng đối tượng bồi dưỡng quốc phòng và an ninh",
    "knowledge_update_group": "không đúng nhóm bồi dưỡng cập nhật kiến thức",
    "postgraduate_dispatch": "chưa đủ điều kiện cử đi đào tạo sau đại học",
    "duplicate_programme_year": "đã đăng ký chương trình này trong năm",
    "already_holds_level": "đã có trình độ chương trình cấp",
    "time_overlap": "trùng thời gian với lớp khác",
    "quota_exceeded": "vượt chỉ tiêu của đơn vị",
    "not_in_plan": "đơn vị không có chỉ tiêu trong kế hoạch",
    "duplicate_registration": "đã đăng ký cùng chương trình, năm và lớp (đăng ký trước còn hiệu lực)",
    "board_refused": "cơ quan quản lý từ chối sau khi xem xét",
}

ACTIONS: dict[str, str] = {
    "create_units": "Tạo đơn vị", "import_officials": "Nhập danh sách cán bộ",
    "define_programmes": "Khai báo chương trình",
    "adopt_plan": "Ban hành kế hoạch", "schedule_classes": "Mở lớp và ghi danh", "enrol": "Ghi danh",
    "close_enrolment": "Kết thúc ghi danh", "record_results": "Điểm danh, nhập điểm, kết thúc lớp",
    "wait_for_class": "Chờ lớp đủ học viên", "register": "Đăng ký nhu cầu đào tạo",
    "complete_tasks": "Quyết định trong hộp việc", "create_campaign": "Mở đợt tạo nguồn",
    "propose_nominees": "Đề xuất cán bộ nguồn", "cast_ballots": "Bỏ phiếu giới thiệu",
    "wait_for_campaign": "Chờ đợt tạo nguồn", "mark_papers": "Chấm bài viết, phỏng vấn",
    "committee_decide": "Ban Thường vụ biểu quyết, quyết định",
}


def word(table: dict[str, str], key: str) -> str:
    """The Vietnamese words for a code; a code without words is shown as words of its parts, never raw."""
    return table.get(key, key.replace("_", " "))


def figure_text(row: dict[str, Any], skip: frozenset[str]) -> str:
    """A report row's figures as 'word: value' in Vietnamese; nested counts and lists as words too."""
    parts = []
    for k, v in row.items():
        if k in skip:
            continue
        if isinstance(v, dict):
            v = ", ".join(f"{word(FIGURES, str(a))} {b}" for a, b in v.items())
        elif isinstance(v, list):
            v = "; ".join(str(x) for x in v)
        parts.append(f"{word(FIGURES, k)}: {v}")
    return "; ".join(parts)
