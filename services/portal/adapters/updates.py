"""Sending a decision to the waiting workflow as its Temporal Update."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from contracts.human_tasks import TaskDecision
from shared.seal import Signer
from shared.temporal_errors import error_details

NOT_YET_OPEN_RETRIES = (0.1, 0.2, 0.4, 0.8, 1.5)


@dataclass
class UpdateRefused(Exception):
    """The workflow refused the decision (its validator), or is no longer there to receive it."""

    code: str
    reason_en: str
    reason_vi: str
    status: int = 409


class UpdateSender(Protocol):
    """What the portal needs from Temporal."""

    async def send(self, *, workflow_id: str, update_name: str, decision: TaskDecision) -> str: ...


def refusal_reason(failure: BaseException | None) -> tuple[str, str, str]:
    """(code, en, vi) of a validator's refusal, read from its ApplicationError's stable type and details."""
    found = error_details(failure) if failure is not None else None
    if found is not None:
        return found
    return ("refused_by_workflow", "The process refused the decision", "Quy trình từ chối quyết định")


class TemporalUpdateSender:
    """Seals each decision with the portal's key (shared.seal) and sends it as the Update through the process's
    (lazily connected) Temporal client. Only what completion.py authorised reaches this point."""

    def __init__(self, client: Client | None = None, connect: object | None = None, *, signer: Signer,
                 clock: Callable[[], Awaitable[datetime]] | None = None) -> None:
        self._client = client
        self._connect = connect
        self._signer = signer
        self._clock = clock  # when the seal starts (tests on the time-skipping server pass its clock)

    async def _get(self) -> Client:
        if self._client is None:
            assert callable(self._connect)
            self._client = await self._connect()
        return self._client

    async def send(self, *, workflow_id: str, update_name: str, decision: TaskDecision) -> str:
        """Execute the Update and wait for its result; a refusal becomes UpdateRefused."""
        try:
            client = await self._get()
        except Exception as exc:
            raise UpdateRefused("temporal_unavailable", "The workflow service is not reachable; try again",
                                "Không kết nối được dịch vụ quy trình; hãy thử lại", 503) from exc
        handle = client.get_workflow_handle(workflow_id)
        now = await self._clock() if self._clock is not None else datetime.now(UTC)
        decision = self._signer.seal(decision, workflow_id=workflow_id, now=now)
        try:
            for pause in (*NOT_YET_OPEN_RETRIES, None):
                try:
                    return str(await handle.execute_update(update_name, decision, result_type=str))
                except WorkflowUpdateFailedError as exc:
                    code, en, vi = refusal_reason(exc.cause)
                    # the task row commits before the workflow has processed create_task's result: a fresh task
                    # can be refused as "not open" for a moment; the portal already refused real repeats itself
                    if code != "task_not_open" or pause is None:
                        raise UpdateRefused(code, en, vi) from exc
                await asyncio.sleep(pause)
            raise AssertionError("unreachable")
        except RPCError as exc:
            raise UpdateRefused("workflow_not_waiting",
                                f"The process is no longer waiting for this task ({exc.message})",
                                "Quy trình không còn chờ công việc này") from exc
