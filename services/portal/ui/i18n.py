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
    # the inbox's search and filters, the printable decision page, delegation (#17 item 3)
    "search": ("Tìm kiếm", "Search"),
    "search_hint": ("Họ tên, lớp, đợt, đơn vị — gõ có dấu hay không dấu đều được",
                    "Name, class, campaign, unit — with or without Vietnamese accents"),
    "filter": ("Lọc", "Filter"),
    "clear_filter": ("Bỏ lọc", "Clear"),
    "any_kind": ("Mọi loại", "Every kind"),
    "state_open": ("Đang chờ quyết định", "Waiting for a decision"),
    "state_completed": ("Tôi đã quyết định", "Decided by me"),
    "state_all": ("Cả hai", "Both"),
    "sort_by": ("Sắp xếp theo", "Sort by"),
    "sort_due": ("Hạn xử lý gần nhất", "Soonest due"),
    "sort_name": ("Tên công việc (A–Z)", "Task name (A–Z)"),
    "found_none": ("Không tìm thấy công việc nào khớp.", "No task matches."),
    "print_record": ("Bản in quyết định", "Printable decision"),
    "print": ("In trang này", "Print this page"),
    "record_title": ("Biên bản quyết định", "Decision record"),
    "task_words": ("Công việc", "The task"),
    "the_decision": ("Quyết định", "The decision"),
    "signed_statement": ("Lời xác nhận đã ký", "The statement signed"),
    "decided_at": ("Thời điểm quyết định", "Decided at"),
    "province_time": ("giờ Việt Nam", "Vietnam time"),
    "audit_ref": ("Bản ghi nhật ký kiểm toán", "Audit record"),
    "audit_ref_text": ("Số {seq} trong nhật ký của cổng phê duyệt, ghi lúc {at}; mã kiểm tra {hash}",
                       "Number {seq} in the approval portal's log, written at {at}; check code {hash}"),
    "audit_pending": ("Quy trình chưa ghi xong bản ghi nhật ký; hãy xem lại sau ít phút.",
                      "The process has not written the audit record yet; look again in a few minutes."),
    "not_decided": ("Công việc này chưa được quyết định.", "This task is not decided yet."),
    "delegate": ("Giao cho đồng nghiệp", "Hand to a colleague"),
    "delegate_to": ("Đồng nghiệp nhận việc", "Colleague"),
    "delegate_reason": ("Lý do giao việc", "Reason"),
    "delegate_go": ("Giao việc", "Hand it over"),
    "delegate_none": ("Không có đồng nghiệp nào cùng vai trò có thể nhận việc này.",
                      "No colleague of the same role can take this task."),
    "delegated": ("Đã giao công việc cho {name}.", "The task is now with {name}."),
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
    # the registration review's dossier: the person, their year, the unit's quota
    "class_chosen": ("Đã chọn lớp", "A class is chosen"),
    "open_official_record": ("Xem hồ sơ cán bộ", "Open the official's record"),
    "class_place": ("Nơi học", "Place"),
    "class_hours": ("Số giờ học", "Training hours"),
    "hours_n": ("{n} giờ", "{n} hours"),
    "not_set": ("chưa có", "not set"),
    "position": ("Chức vụ, chức danh", "Position and title"),
    "category": ("Đối tượng", "Category"),
    "age_retirement": ("Tuổi, nghỉ hưu", "Age, retirement"),
    "age_years": ("{n} tuổi", "{n} years old"),
    "retires_on": ("nghỉ hưu ngày {d}", "retires on {d}"),
    "education": ("Trình độ chuyên môn", "Education"),
    "theory": ("Lý luận chính trị", "Political theory"),
    "planning_word": ("Quy hoạch", "Planning"),
    "yes_word": ("Có", "Yes"),
    "not_in_planning": ("Không trong quy hoạch", "Not in planning"),
    "year_of_official": ("Năm {y} của cán bộ", "The official's year {y}"),
    "trained_this_year": ("Đã học trong năm", "Trained this year"),
    "in_classes": ("Đang học, đã ghi danh", "Classes held or enrolled"),
    "other_registrations": ("Đăng ký khác còn hiệu lực", "Other registrations in force"),
    "none_this_year": ("Không có.", "None."),
    "unit_quota": ("Chỉ tiêu của đơn vị cho chương trình", "The unit's quota for the programme"),
    "quota_allocated": ("Được phân bổ", "Allocated"),
    "quota_used": ("Đã đăng ký (kể cả đăng ký này)", "Registered (this one included)"),
    "quota_left": ("Còn lại", "Left"),
    "quota_over": ("vượt {n}", "{n} over"),
    "no_quota": ("Kế hoạch không phân bổ chỉ tiêu chương trình này cho đơn vị.",
                 "The plan allocates no quota of this programme to the unit."),
    "findings": ("Kết quả kiểm tra", "Findings"),
    "no_findings": ("Không có vấn đề nào.", "No findings."),
    "severity": ("Mức độ", "Severity"),
    "rule": ("Quy định", "Rule"),
    "finding": ("Nội dung", "Finding"),
    "policy_applied": ("Quy định áp dụng", "Rule applied"),
    "registration_dossier": ("Hồ sơ đăng ký", "Registration"),
    "management_authority": ("Phân cấp quản lý cán bộ", "Management authority"),
    "managing_body": ("Cơ quan quản lý", "Managing body"),
    "authority_rule": ("Căn cứ phân cấp", "Rule of authority applied"),
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
    "stall": ("Quy trình bị gián đoạn", "A process has stalled"),
    "stall_intro": ("Một bước của quy trình đã được hệ thống tự thử lại nhiều lần mà vẫn lỗi, do sự cố kỹ thuật (không "
                    "phải do hồ sơ). Quy trình đang chờ Ban Tổ chức quyết định.",
                    "One step of the process failed on every automatic attempt, because of a technical fault (not "
                    "because of the case). The process waits for the Organization Board's decision."),
    "stall_process": ("Quy trình", "Process"),
    "stall_step": ("Bước bị lỗi", "Step that failed"),
    "stall_error": ("Lỗi gần nhất", "Last error"),
    "stall_attempts": ("Số lần đã thử", "Attempts"),
    "stall_attempts_text": ("{n} lần ({k} đợt tự động thử lại)", "{n} ({k} round(s) of automatic retries)"),
    "stall_since": ("Bắt đầu lỗi từ", "Failing since"),
    "opt_retry": ("Chạy lại bước này, với cùng số lần thử tự động; nếu vẫn lỗi, một công việc mới sẽ được gửi.",
                  "Run the step again with the same automatic attempts; if it fails again, a new task is filed."),
    "opt_stop": ("Dừng quy trình; cần ghi rõ lý do. Việc dừng được ghi vào nhật ký kiểm toán.",
                 "Stop the process; a reason is required. The stop is recorded in the audit trail."),
    # class below target: who waits and where the class could merge
    "waitlist": ("Danh sách chờ", "Waiting list"),
    "class_seats_left": ("Số chỗ còn trống", "Seats left"),
    "no_waitlist": ("Không có ai trong danh sách chờ.", "Nobody is waiting."),
    "merge_options": ("Các lớp cùng chương trình có thể gộp vào", "Classes of the same programme to merge into"),
    "no_merge_options": ("Không có lớp nào cùng chương trình còn chỗ.",
                         "No other class of the programme has seats left."),
    "nominees": ("Danh sách được giới thiệu", "Nominees proposed"),
    "no_nominees": ("Không có người nào được giới thiệu.", "Nobody was proposed."),
    "ballots_returned": ("Số phiếu thu về", "Ballots returned"),
    "votes": ("Kết quả phiếu", "Votes"),
    # nomination confirmation: each conference's count
    "conference_counts": ("Kết quả kiểm phiếu từng hội nghị", "Each conference's count"),
    "conference": ("Hội nghị {code}", "Conference {code}"),
    "convened": ("Số người được triệu tập", "Voters convened"),
    "threshold": ("Ngưỡng giới thiệu", "Nomination threshold"),
    "threshold_convened": ("quá {p}% số người được triệu tập ({n} người)",
                           "more than {p}% of the voters convened ({n})"),
    "threshold_present": ("quá {p}% số người có mặt ({n} người)", "more than {p}% of the voters present ({n})"),
    "nominee_votes": ("Số phiếu", "Votes"),
    "is_proposed": ("Được giới thiệu", "Proposed"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "eligible": ("Đủ điều kiện", "Eligible"),
    "ineligible": ("Không đủ điều kiện", "Not eligible"),
    "reason": ("Lý do", "Reason"),
    "snapshot_at": ("Dữ liệu hồ sơ tại thời điểm", "Records as of"),
    "nobody": ("Không có ai.", "Nobody."),
    "criteria_checked": ("{n} tiêu chuẩn đã xét", "{n} criteria checked"),
    "criterion_met": ("Đạt", "Met"),
    "criterion_not_met": ("Không đạt", "Not met"),
    "override_note": ("Điều chỉnh một kết quả phải ghi rõ lý do.", "Overriding a result requires a reason."),
    "paper": ("Bài thi", "Paper"),
    "code": ("Số phách", "Anonymous code"),
    "component": ("Phần thi", "Component"),
    "essay": ("Bài viết", "Essay"),
    "interview": ("Phỏng vấn", "Interview"),
    "scale": ("Thang điểm", "Scale"),
    "scale_text": ("từ 0 đến {n} điểm", "0 to {n} points"),
    "guide_of": ("Hướng dẫn chấm — {component}", "Marking guide — {component}"),
    "criterion": ("Tiêu chí", "Criterion"),
    "points": ("Điểm tối đa", "Most points"),
    "pass_mark_text": ("Điểm đạt: từ {n} điểm trở lên.", "Pass mark: {n} points or more."),
    "weight_text": ("{component} chiếm {n} % tổng điểm.", "The {component} counts for {n} % of the total."),
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
    "process_stalled": ("Quy trình bị gián đoạn", "Stalled process"),
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
    "auditor": ("Kiểm tra, giám sát", "Auditor"),
    "operator": ("Vận hành hệ thống", "Operator"),
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


def record_moment(moment: datetime) -> str:
    """A moment on a printed record: Vietnam's time (UTC+7) as dd/mm/yyyy HH:MM in either language."""
    return as_utc(moment).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def check_code(digest: str) -> str:
    """The first 16 hex digits of a hash in groups of four (read aloud or compared by eye): ``3F2A-91BC-…``."""
    head = digest[:16].upper()
    return "-".join(head[i:i + 4] for i in range(0, len(head), 4))
