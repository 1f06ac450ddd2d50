"""A process step that keeps failing (issue #19): after the bounded retries of an infrastructure error the workflow
files a ``process_stalled`` task for the Organization Board instead of failing; the Board retries the step (the
same bounded policy again) or stops the process (its failure path, the typed error ``process_stopped``).

What the task says is in words: the step (``STEP_WORDS``, one entry per activity), the last error (``error_words``:
a kind of fault, never the error's message, which may carry a stack trace or a connection string). The portal's own
task activities never stall this way: without the portal no task can be filed, so they fail the workflow as before.

Free of I/O: workflow code passes it through the sandbox.
"""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError, RetryState, TimeoutError

from contracts.errors import ErrorType
from contracts.human_tasks import TaskAction

PROCESS_STALLED = "process_stalled"
RETRY, STOP = "retry", "stop"
# the portal's task activities: if the portal is down a task cannot be filed, so they fail the workflow
UNSTALLABLE: frozenset[str] = frozenset({"portal.create_task", "portal.create_tasks", "portal.task_overdue",
                                           "portal.close_task"})

# activity name -> the step in words (Vietnamese, English); tests/unit/workflows/test_stalls.py: one per stub
STEP_WORDS: dict[str, tuple[str, str]] = {
    "portal.create_task": ("Đưa công việc vào hộp công việc", "File a task in the inbox"),
    "portal.create_tasks": ("Đưa các công việc vào hộp công việc", "File tasks in the inbox"),
    "portal.task_overdue": ("Nhắc việc hoặc chuyển cấp trên", "Remind or escalate a task"),
    "portal.close_task": ("Đóng công việc đã quyết định", "Close a decided task"),
    "registration.apply_review_decision": ("Ghi quyết định xét duyệt vào hồ sơ đăng ký",
                                           "Record the review decision on the registration"),
    "record_unit": ("Ghi nhận đơn vị vào hệ thống lớp học", "Record the unit in scheduling"),
    "scheduling.open_enrolment": ("Mở chiêu sinh lớp", "Open the class's enrolment"),
    "scheduling.expire_offers": ("Hủy các suất chờ đã quá hạn", "Lapse the expired waitlist offers"),
    "scheduling.close_enrolment": ("Khóa sổ chiêu sinh", "Close the class's enrolment"),
    "scheduling.apply_below_target_decision": ("Thực hiện quyết định về lớp dưới chỉ tiêu",
                                               "Carry out the decision on the class below target"),
    "scheduling.start_class": ("Khai giảng lớp", "Start the class"),
    "scheduling.results_status": ("Kiểm tra kết quả học tập của lớp", "Check the class's results"),
    "scheduling.complete_class": ("Kết thúc lớp và cấp chứng chỉ", "Complete the class and issue certificates"),
    "selection.plan": ("Đọc kế hoạch của đợt tuyển chọn", "Read the campaign's plan"),
    "selection.set_step": ("Chuyển đợt tuyển chọn sang bước mới", "Move the campaign to its next step"),
    "selection.close_conference": ("Kết thúc hội nghị giới thiệu", "Close a nomination conference"),
    "selection.proposals": ("Tổng hợp danh sách được giới thiệu", "Gather the nominees proposed"),
    "selection.apply_decision": ("Ghi quyết định của Ban Tổ chức", "Record the Board's decision"),
    "selection.screen_candidates": ("Sơ tuyển các ứng viên", "Pre-screen the candidates"),
    "selection.prepare_exam": ("Chuẩn bị bài thi", "Prepare the examination papers"),
    "selection.record_mark": ("Ghi điểm của giám khảo", "Record a marker's mark"),
    "selection.record_component": ("Ghi kết quả phần thi", "Record a component's result"),
    "selection.close_marking": ("Tổng hợp kết quả chấm thi", "Close the marking"),
    "selection.record_committee": ("Ghi kết quả biểu quyết của Ban Thường vụ", "Record the committee's outcome"),
}
_SOME_STEP = ("Một bước xử lý tự động", "An automated step")


def step_words(activity: str) -> tuple[str, str]:
    """The step in words (a generic phrase for an activity without an entry: never its name)."""
    return STEP_WORDS.get(activity, _SOME_STEP)


def stalled_by_infrastructure(activity: str, error: ActivityError) -> bool:
    """Whether the activity gave up after its bounded retries of a retryable error (not a domain refusal, which is
    never retried, and not one of the portal's task activities)."""
    if activity in UNSTALLABLE:
        return False
    if error.retry_state not in (RetryState.MAXIMUM_ATTEMPTS_REACHED, RetryState.TIMEOUT):
        return False
    cause = error.cause
    return not (isinstance(cause, ApplicationError) and cause.non_retryable)


_CONNECTION = ("connection", "connect", "oserror", "operational", "interface", "unavailable", "refused", "network",
               "socket", "broker", "kafka", "dns")


def error_words(error: ActivityError) -> tuple[str, str]:
    """The last error as a kind of fault in words (Vietnamese, English), from its type only."""
    cause = error.cause
    if isinstance(cause, TimeoutError):
        return ("Bước này không trả lời trong thời gian cho phép ở mỗi lần thử",
                "The step did not answer within its time limit on each attempt")
    kind = (cause.type or "") if isinstance(cause, ApplicationError) else type(cause).__name__
    if any(word in kind.lower() for word in _CONNECTION):
        return ("Không kết nối được tới cơ sở dữ liệu hoặc dịch vụ cần thiết",
                "A database or a service the step needs could not be reached")
    return ("Lỗi kỹ thuật của hệ thống (chi tiết trong nhật ký vận hành)",
            "A technical fault of the system (details in the operators' logs)")


def stall_actions() -> list[TaskAction]:
    """Run the step again (the same bounded retries), or stop the process (a reason is required)."""
    return [
        TaskAction(RETRY, "Chạy lại bước này", "Run the step again", "decide"),
        TaskAction(STOP, "Dừng quy trình", "Stop the process", "decide", requires_comment=True),
    ]


def process_stopped(process_vi: str, process_en: str, step_vi: str, step_en: str) -> ApplicationError:
    """The typed, non-retryable failure a stopped process ends with: [code, english, vietnamese] details."""
    en = f"The Organization Board stopped the process “{process_en}” at the step “{step_en}”"
    vi = f"Ban Tổ chức đã dừng quy trình «{process_vi}» tại bước «{step_vi}»"
    return ApplicationError(f"process_stopped: {en}", "process_stopped", en, vi,
                            type=str(ErrorType.PROCESS_STOPPED), non_retryable=True)
