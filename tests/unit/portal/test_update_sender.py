"""The Temporal Update sender: validator reasons split into code / English / Vietnamese; a task the workflow has
not registered yet (its create_task result still in flight) is retried briefly; other refusals are not."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from services.portal import updates
from services.portal.updates import TemporalUpdateSender, UpdateRefused, split_reason
from tests.support.seal import TEST_SIGNER
from workflows.human_task import TaskDecision


class FakeHandle:
    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.calls = 0

    async def execute_update(self, name: str, decision: TaskDecision, *, result_type: type) -> str:
        self.calls += 1
        if self.failures:
            raise WorkflowUpdateFailedError(ApplicationError(self.failures.pop(0)))
        return "accepted"


class FakeClient:
    def __init__(self, handle: FakeHandle) -> None:
        self.handle = handle

    def get_workflow_handle(self, workflow_id: str) -> FakeHandle:
        return self.handle


DECISION = TaskDecision("review", "t1", "approve", {}, "", "btc.nguyenvanhai", "organization_board")


def test_split_reason() -> None:
    assert split_reason("input_missing: mark / thiếu Điểm") == ("input_missing", "Mark", "Thiếu Điểm")
    assert split_reason("plain message") == ("refused_by_workflow", "plain message", "plain message")


async def test_not_yet_open_is_retried_then_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(updates, "NOT_YET_OPEN_RETRIES", (0.0, 0.0, 0.0))
    handle = FakeHandle(["task_not_open: not open / chưa mở"] * 2)
    sender = TemporalUpdateSender(client=FakeClient(handle), signer=TEST_SIGNER)  # type: ignore[arg-type]
    assert await sender.send(workflow_id="wf", update_name="complete_task", decision=DECISION) == "accepted"
    assert handle.calls == 3


async def test_other_refusals_and_lasting_not_open_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(updates, "NOT_YET_OPEN_RETRIES", (0.0, 0.0))
    handle: Any = FakeHandle(["comment_required: a comment is required / cần nhập ý kiến"])
    with pytest.raises(UpdateRefused) as refused:
        await TemporalUpdateSender(client=FakeClient(handle), signer=TEST_SIGNER).send(  # type: ignore[arg-type]
            workflow_id="wf", update_name="complete_task", decision=DECISION)
    assert (refused.value.code, refused.value.reason_vi, handle.calls) == ("comment_required", "Cần nhập ý kiến", 1)
    handle = FakeHandle(["task_not_open: x / y"] * 5)
    with pytest.raises(UpdateRefused) as lasting:
        await TemporalUpdateSender(client=FakeClient(handle), signer=TEST_SIGNER).send(  # type: ignore[arg-type]
            workflow_id="wf", update_name="complete_task", decision=DECISION)
    assert lasting.value.code == "task_not_open" and handle.calls == 3
