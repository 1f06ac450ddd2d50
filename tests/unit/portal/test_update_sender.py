"""The Temporal Update sender: a validator's refusal read from its ApplicationError's stable type and details (code,
English, Vietnamese; no message text parsed); a task the workflow has
not registered yet (its create_task result still in flight) is retried briefly; other refusals are not."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from contracts.errors import DecisionRefused
from contracts.human_tasks import TaskDecision
from services.portal.adapters import updates
from services.portal.adapters.updates import TemporalUpdateSender, UpdateRefused, refusal_reason
from shared.temporal_errors import refusal
from tests.support.seal import TEST_SIGNER


class FakeHandle:
    def __init__(self, failures: list[ApplicationError]) -> None:
        self.failures = failures
        self.calls = 0

    async def execute_update(self, name: str, decision: TaskDecision, *, result_type: type) -> str:
        self.calls += 1
        if self.failures:
            raise WorkflowUpdateFailedError(self.failures.pop(0))
        return "accepted"


class FakeClient:
    def __init__(self, handle: FakeHandle) -> None:
        self.handle = handle

    def get_workflow_handle(self, workflow_id: str) -> FakeHandle:
        return self.handle


DECISION = TaskDecision("review", "t1", "approve", {}, "", "btc.nguyenvanhai", "organization_board")


def _refused(code: str, en: str, vi: str) -> ApplicationError:
    return refusal(DecisionRefused(code, en, vi))


def test_the_reason_is_read_from_the_type_and_details_never_from_the_message() -> None:
    assert refusal_reason(_refused("input_missing", "Mark is required", "Thiếu Điểm")) == (
        "input_missing", "Mark is required", "Thiếu Điểm")
    # a message in the old "code: english / vietnamese" shape, without the stable type, is not parsed
    untyped = ApplicationError("input_missing: mark / thiếu Điểm")
    assert refusal_reason(untyped)[0] == "refused_by_workflow"
    assert refusal_reason(None)[0] == "refused_by_workflow"


async def test_not_yet_open_is_retried_then_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(updates, "NOT_YET_OPEN_RETRIES", (0.0, 0.0, 0.0))
    handle = FakeHandle([_refused("task_not_open", "Not open", "Chưa mở") for _ in range(2)])
    sender = TemporalUpdateSender(client=FakeClient(handle), signer=TEST_SIGNER)  # type: ignore[arg-type]
    assert await sender.send(workflow_id="wf", update_name="complete_task", decision=DECISION) == "accepted"
    assert handle.calls == 3


async def test_other_refusals_and_lasting_not_open_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(updates, "NOT_YET_OPEN_RETRIES", (0.0, 0.0))
    handle: Any = FakeHandle([_refused("comment_required", "A comment is required", "Cần nhập ý kiến")])
    with pytest.raises(UpdateRefused) as refused:
        await TemporalUpdateSender(client=FakeClient(handle), signer=TEST_SIGNER).send(  # type: ignore[arg-type]
            workflow_id="wf", update_name="complete_task", decision=DECISION)
    assert (refused.value.code, refused.value.reason_vi, handle.calls) == ("comment_required", "Cần nhập ý kiến", 1)
    handle = FakeHandle([_refused("task_not_open", "X", "Y") for _ in range(5)])
    with pytest.raises(UpdateRefused) as lasting:
        await TemporalUpdateSender(client=FakeClient(handle), signer=TEST_SIGNER).send(  # type: ignore[arg-type]
            workflow_id="wf", update_name="complete_task", decision=DECISION)
    assert lasting.value.code == "task_not_open" and handle.calls == 3
