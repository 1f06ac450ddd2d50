"""The web UI's words, Vietnamese first, English on request (``?lang=en`` or the ``cadre_lang`` cookie)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from fastapi import Request

LANGS = ("vi", "en")
VIETNAM = timezone(timedelta(hours=7), "ICT")
WORDS: dict[str, tuple[str, str]] = {
    "app": ("Hộp công việc Cadreflow", "Cadreflow task inbox"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "signin": ("Đăng nhập", "Sign in"),
    "signout": ("Đăng xuất", "Sign out"),
    "signin_intro": ("Chọn người dùng thử nghiệm của cấu hình nhúng để đăng nhập.",
                     "Choose one of the embedded profile's demo users to sign in."),
    "signin_off": ("Đăng nhập bằng người dùng thử nghiệm đã tắt; hãy dùng mã truy cập của tổ chức.",
                   "Demo sign-in is off; use your organisation's access token."),
    "user": ("Người dùng", "User"),
    "account": ("Tài khoản và ngôn ngữ", "Account and language"),
    "inbox": ("Hộp công việc", "Inbox"),
    "all_kinds": ("Tất cả", "All"),
    "counts": ("Số công việc theo loại", "Tasks by kind"),
    "no_tasks": ("Không có công việc nào.", "No tasks."),
    "title": ("Công việc", "Task"),
    "kind": ("Loại", "Kind"),
    "due": ("Hạn xử lý", "Due"),
    "status": ("Trạng thái", "Status"),
    "priority": ("Ưu tiên", "Priority"),
    "overdue": ("Quá hạn", "Overdue"),
    "escalated": ("Đã chuyển cấp trên", "Escalated"),
    "only_overdue": ("Chỉ công việc quá hạn", "Overdue only"),
    "holder": ("Người xử lý", "Held by"),
    "group": ("Nhóm", "Group"),
    "dossier": ("Hồ sơ", "Dossier"),
    "field": ("Mục", "Item"),
    "value": ("Nội dung", "Value"),
    "decide": ("Quyết định", "Decision"),
    "comment": ("Ý kiến", "Comment"),
    "confirm_q": ("Xác nhận quyết định", "Confirm the decision"),
    "confirm_text": ("Bạn sắp ký với ý nghĩa", "You are about to sign with the meaning"),
    "confirm": ("Xác nhận", "Confirm"),
    "back": ("Quay lại", "Back"),
    "claim": ("Nhận xử lý", "Claim"),
    "release": ("Trả lại nhóm", "Release"),
    "refused": ("Không thực hiện được", "Refused"),
    "not_allowed": ("Bạn không thể quyết định công việc này", "You cannot decide this task"),
    "accepted": ("Đã ghi nhận quyết định", "Decision accepted"),
    "on_behalf": ("thay mặt", "on behalf of"),
    "required": ("bắt buộc", "required"),
    "digest": ("Mã kiểm tra hồ sơ", "Dossier digest"),
    "open": ("Đang mở", "Open"),
    "completing": ("Đang xử lý", "Completing"),
    "completed": ("Đã hoàn thành", "Completed"),
    "switch": ("English", "Tiếng Việt"),
}

KINDS: dict[str, tuple[str, str]] = {
    "registration_review": ("Xét duyệt đăng ký", "Registration review"),
    "class_below_target": ("Lớp dưới chỉ tiêu", "Class below target"),
    "nomination_confirmation": ("Xác nhận giới thiệu nguồn", "Nomination confirmation"),
    "screening_confirmation": ("Xác nhận sơ tuyển", "Screening confirmation"),
    "essay_marking": ("Chấm bài viết", "Essay marking"),
    "interview_scoring": ("Chấm phỏng vấn", "Interview scoring"),
    "committee_vote": ("Biểu quyết", "Committee vote"),
}

ROLES: dict[str, tuple[str, str]] = {
    "organization_board": ("Ban Tổ chức", "Organization Board"),
    "unit_officer": ("Cán bộ tổ chức đơn vị", "Unit officer"),
    "examiner": ("Giám khảo", "Examiner"),
    "marking_head": ("Trưởng ban chấm", "Marking head"),
    "council_chair": ("Chủ tịch Hội đồng", "Council chair"),
    "committee_member": ("Ủy viên Ban Thường vụ", "Standing Committee member"),
    "committee_chair": ("Bí thư", "Committee chair"),
    "institution_staff": ("Cán bộ trường", "Institution staff"),
}


def role_label(role: str, lang: str) -> str:
    """A role in words (its code when unknown)."""
    pair = ROLES.get(role)
    return pair[LANGS.index(lang)] if pair else role


def kind_label(kind: str, lang: str) -> str:
    """A task kind in words (its code when unknown)."""
    pair = KINDS.get(kind)
    return pair[LANGS.index(lang)] if pair else kind


def lang_of(request: Request) -> str:
    """The language asked for: ``?lang=``, then the cookie, then Vietnamese."""
    asked = request.query_params.get("lang") or request.cookies.get("cadre_lang") or "vi"
    return asked if asked in LANGS else "vi"


def translator(lang: str) -> dict[str, str]:
    """Every word in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in WORDS.items()}


def when(moment: datetime, lang: str) -> str:
    """A moment in Vietnam's time (UTC+7), as people of that language write it."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M") if lang == "vi" else local.strftime("%Y-%m-%d %H:%M (UTC+7)")
