"""The web UI's words, Vietnamese first, English on request (``?lang=en`` or the ``cadre_lang`` cookie)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from fastapi import Request

from shared.timestamps import as_utc

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
    # the views of each kind of task
    "official": ("Cán bộ", "Official"),
    "full_name": ("Họ và tên", "Full name"),
    "unit": ("Đơn vị", "Unit"),
    "programme": ("Chương trình", "Programme"),
    "plan_year": ("Năm kế hoạch", "Plan year"),
    "class": ("Lớp", "Class"),
    "no_class": ("Chưa chọn lớp", "No class chosen yet"),
    "findings": ("Kết quả kiểm tra", "Findings"),
    "no_findings": ("Không có vấn đề nào.", "No findings."),
    "severity": ("Mức độ", "Severity"),
    "rule": ("Quy định", "Rule"),
    "finding": ("Nội dung", "Finding"),
    "policy_applied": ("Quy định áp dụng", "Rule applied"),
    "registration_dossier": ("Hồ sơ đăng ký", "Registration"),
    "enrolment": ("Tình hình chiêu sinh", "Enrolment"),
    "enrolled": ("Đã ghi danh", "Enrolled"),
    "target": ("Chỉ tiêu", "Target"),
    "capacity": ("Sức chứa", "Capacity"),
    "enrolment_deadline": ("Hạn chiêu sinh", "Enrolment deadline"),
    "class_dates": ("Thời gian học", "Class dates"),
    "from_to": ("từ {a} đến {b}", "from {a} to {b}"),
    "options": ("Các phương án", "The options"),
    "opt_open_anyway": ("Mở lớp với số học viên hiện có.", "Run the class with the officials enrolled now."),
    "opt_extend": ("Kéo dài hạn chiêu sinh thêm một số ngày (1–60), rồi xét lại.",
                   "Keep enrolment open for some more days (1–60), then look again."),
    "opt_merge": ("Chuyển học viên sang một lớp khác cùng chương trình.",
                  "Move the enrolled officials into another class of the same programme."),
    "opt_cancel": ("Hủy lớp; cần ghi rõ lý do.", "Cancel the class; a reason is required."),
    "nominees": ("Danh sách được giới thiệu", "Nominees proposed"),
    "no_nominees": ("Không có người nào được giới thiệu.", "Nobody was proposed."),
    "ballots_returned": ("Số phiếu thu về", "Ballots returned"),
    "votes": ("Kết quả phiếu", "Votes"),
    "eligible": ("Đủ điều kiện", "Eligible"),
    "ineligible": ("Không đủ điều kiện", "Not eligible"),
    "reason": ("Lý do", "Reason"),
    "snapshot_at": ("Dữ liệu hồ sơ tại thời điểm", "Records as of"),
    "nobody": ("Không có ai.", "Nobody."),
    "override_note": ("Điều chỉnh một kết quả phải ghi rõ lý do.", "Overriding a result requires a reason."),
    "paper": ("Bài thi", "Paper"),
    "code": ("Số phách", "Anonymous code"),
    "component": ("Phần thi", "Component"),
    "essay": ("Bài viết", "Essay"),
    "interview": ("Phỏng vấn", "Interview"),
    "scale": ("Thang điểm", "Scale"),
    "scale_text": ("từ 0 đến {n} điểm", "0 to {n} points"),
    "anonymous_note": ("Bài thi được rọc phách: người chấm chỉ thấy số phách, không thấy họ tên hay đơn vị.",
                       "The paper is anonymised: the marker sees only its code, never a name or a unit."),
    "marks": ("Điểm của các giám khảo", "The markers' marks"),
    "marker_n": ("Giám khảo {n}", "Marker {n}"),
    "spread": ("Chênh lệch", "Spread"),
    "band_rule": ("Quy tắc áp dụng", "The rule that applies"),
    "band_head": ("Chênh lệch trên {a} và dưới {b} điểm: Trưởng ban chấm quyết định điểm.",
                  "A spread above {a} and below {b} points: the marking head decides the mark."),
    "band_chair": ("Chênh lệch từ {b} điểm trở lên: Chủ tịch Hội đồng quyết định điểm.",
                   "A spread of {b} points or more: the council chair decides the mark."),
    "head_mark": ("Điểm của Trưởng ban chấm", "The marking head's mark"),
    "tied": ("Các thí sinh bằng điểm", "The tied candidates"),
    "total": ("Tổng điểm", "Total"),
    "specialised": ("Điểm chuyên môn", "Specialised"),
    "seats_left": ("Số chỉ tiêu còn lại", "Seats left"),
    "at_rank": ("Tại thứ hạng", "At rank"),
    "shortlist": ("Danh sách đề nghị (theo thứ hạng)", "The shortlist (in rank order)"),
    "rank": ("Hạng", "Rank"),
    "seats": ("Số chỉ tiêu", "Seats"),
    "members": ("Số ủy viên", "Members"),
    "votes_cast": ("Số ủy viên đã biểu quyết", "Members who voted"),
    "vote_rule": ("Người được chọn phải được hơn một nửa tổng số ủy viên tán thành ({n} ủy viên: cần ít nhất {k} phiếu"
                  " tán thành); ủy viên không biểu quyết được tính là không tán thành.",
                  "A candidate is chosen with the approval of more than half of ALL members ({n} members: at least {k}"
                  " approvals); a member who does not vote counts as not approving."),
    "your_ballot": ("Phiếu biểu quyết của bạn", "Your ballot"),
    "ballot_summary": ("Tóm tắt phiếu", "Ballot summary"),
    "choose_action": ("Chọn quyết định", "Choose the decision"),
    "continue": ("Tiếp tục", "Continue"),
    "comment_required": ("Ý kiến (bắt buộc)", "Comment (required)"),
    "comment_optional": ("Ý kiến (không bắt buộc)", "Comment (optional)"),
    "signature_means": ("Khi xác nhận, bạn ký điện tử với ý nghĩa:",
                        "By confirming, you sign electronically, meaning:"),
    "you_confirmed": ("Bạn đã xác nhận", "You confirmed"),
    "decision_record": ("Quyết định đã ghi", "Decision recorded"),
    "decided_by": ("Người quyết định", "Decided by"),
    "my_papers": ("Bài thi của tôi", "My papers"),
    "my_papers_intro": ("Mỗi bài một điểm; bấm «Ghi điểm» ở dòng của bài đó để ký điểm của bài.",
                        "One mark per paper; press “Record the mark” on the paper's row to sign that paper's mark."),
    "record_mark": ("Ghi điểm", "Record the mark"),
    "mark_saved": ("Đã ghi điểm bài phách {code}.", "The mark for paper {code} is recorded."),
    "no_papers": ("Không còn bài nào cần chấm.", "No papers left to mark."),
    "mark_signature": ("Tôi xác nhận điểm đã nhập ở dòng của bài là điểm tôi chấm cho bài đó.",
                       "I confirm that the mark entered on the paper's row is the mark I give that paper."),
    "errors_title": ("Chưa thể ghi nhận", "Not yet recorded"),
    "dossier_other": ("Nội dung công việc", "What the task is about"),
}

CHOICES: dict[str, tuple[str, str]] = {
    "approve": ("Tán thành", "Approve"),
    "reject": ("Không tán thành", "Disapprove"),
    "abstain": ("Không biểu quyết", "Abstain"),
    "eligible": ("Đủ điều kiện", "Eligible"),
    "ineligible": ("Không đủ điều kiện", "Not eligible"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    "error": ("Không đạt", "Fails"),
    "warning": ("Cần lưu ý", "Warning"),
    "info": ("Thông tin", "Information"),
}

# what each signature means, said in the first person (``{title}``: the task's title, ``{action}``: the action)
SIGNATURES: dict[str, tuple[str, str]] = {
    "approve": ("Tôi phê duyệt: {title}.", "I approve: {title}."),
    "refuse": ("Tôi từ chối: {title}.", "I refuse: {title}."),
    "return": ("Tôi trả lại để sửa: {title}.", "I return for correction: {title}."),
    "mark": ("Tôi xác nhận điểm đã nhập là điểm tôi chấm: {title}.", "I confirm the mark entered as mine: {title}."),
    "vote": ("Tôi biểu quyết như tóm tắt trên: {title}.", "I vote as summarised above: {title}."),
    "decide": ("Tôi quyết định «{action}»: {title}.", "I decide “{action}”: {title}."),
    "override": ("Tôi điều chỉnh kết quả như trên, với lý do đã ghi: {title}.",
                 "I override the result as above, for the reason given: {title}."),
}

KINDS: dict[str, tuple[str, str]] = {
    "registration_review": ("Xét duyệt đăng ký", "Registration review"),
    "class_below_target": ("Lớp dưới chỉ tiêu", "Class below target"),
    "nomination_confirmation": ("Xác nhận giới thiệu nguồn", "Nomination confirmation"),
    "screening_confirmation": ("Xác nhận sơ tuyển", "Screening confirmation"),
    "essay_marking": ("Chấm bài viết", "Essay marking"),
    "interview_scoring": ("Chấm phỏng vấn", "Interview scoring"),
    "essay_mark": ("Chấm bài viết", "Essay marking"),
    "interview_score": ("Chấm phỏng vấn", "Interview scoring"),
    "mark_discrepancy": ("Xử lý chênh lệch điểm", "Marking discrepancy"),
    "tie_break": ("Xếp thứ tự khi bằng điểm", "Tie break"),
    "committee_vote": ("Biểu quyết", "Committee vote"),
    "committee_decision": ("Ký quyết định của Ban Thường vụ", "Committee decision"),
    "portal_probe": ("Thử nghiệm hộp công việc", "Inbox probe"),
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


def word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """A coded value in words (an em dash when the table does not know it: never the code)."""
    pair = table.get(key)
    return pair[LANGS.index(lang)] if pair else "—"


def day(iso: str | None, lang: str) -> str:
    """A calendar day (``2026-03-15``) as people of that language write it."""
    if not iso:
        return "—"
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return "—"
    return d.strftime("%d/%m/%Y") if lang == "vi" else d.strftime("%d %b %Y")


def moment_of(iso: str | None, lang: str) -> str:
    """An ISO moment in Vietnam's time."""
    if not iso:
        return "—"
    try:
        return when(datetime.fromisoformat(iso), lang)
    except ValueError:
        return "—"


def number(text: str | int | float | None, lang: str) -> str:
    """A decimal as written in that language (``152,5`` in Vietnamese, trailing ``.0`` dropped)."""
    if text is None or text == "":
        return "—"
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return "—"
    out = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    out = out.split(".")[0] if "." in out and set(out.split(".")[1]) == {"0"} else out
    return out.replace(".", ",") if lang == "vi" else out


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
    local = as_utc(moment).astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M") if lang == "vi" else local.strftime("%Y-%m-%d %H:%M (UTC+7)")
