"""The portal's HTTP input and output shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.free_text import FreeText

UserId = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._@-]+$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskComplete(_In):
    """A decision on one task."""

    action: str = Field(min_length=1, max_length=60)
    inputs: dict[str, Any] = Field(default_factory=dict)
    comment: FreeText = Field(default="", max_length=4000)
    dossier_digest: str | None = Field(default=None, max_length=64)  # what the approver was shown (optional check)


class BulkComplete(_In):
    """The same decision on several tasks of one kind."""

    task_ids: list[str] = Field(min_length=1, max_length=100)
    action: str = Field(min_length=1, max_length=60)
    inputs: dict[str, Any] = Field(default_factory=dict)
    comment: FreeText = Field(default="", max_length=4000)


class TaskAssign(_In):
    """The Organization Board gives a task to a named person."""

    user_id: str = UserId


class TaskDelegate(_In):
    """Hand a task to a named person, with a reason."""

    to: str = UserId
    reason: FreeText = Field(min_length=3, max_length=1000)


class SubstituteCreate(_In):
    """An out-of-office period: the person's new and open tasks route to the delegate."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    delegate: str = UserId
    starts_at: datetime = Field(alias="from")
    ends_at: datetime = Field(alias="to")
    user_id: str | None = Field(default=None, min_length=1, max_length=120)  # whose absence (default: the caller)
    reason: FreeText = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _period(self) -> SubstituteCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("'to' must be after 'from' / 'đến' phải sau 'từ'")
        return self


class SubstituteRead(BaseModel):
    id: str
    user_id: str
    delegate: str
    starts_at: datetime
    ends_at: datetime
    rerouted_tasks: int
    reason: str = ""


class SubstituteEnd(BaseModel):
    """An out-of-office period ended early, and how many open tasks came back."""

    id: str
    ended_at: datetime
    returned_tasks: int


class TaskSummary(BaseModel):
    """One inbox row."""

    id: str
    kind: str
    title_vi: str
    title_en: str
    subject: str
    status: str
    priority: int
    campaign: str | None
    unit_scope: str | None
    candidate_roles: list[str]
    assignee: str | None
    assigned_via: str | None
    on_behalf_of: str | None
    due_at: datetime
    overdue: bool
    escalated: bool
    created_at: datetime


class TaskInbox(BaseModel):
    """A page of the inbox with its totals."""

    items: list[TaskSummary]
    total: int
    limit: int
    offset: int
    counts_by_kind: dict[str, int]
    overdue_count: int


class TaskDetail(TaskSummary):
    """One task with what the approver must see and may do."""

    dossier: dict[str, Any]
    dossier_digest: str
    actions: list[dict[str, Any]]
    allowed_actions: list[dict[str, Any]]
    refusal: dict[str, str] | None
    delegation_reason: str | None
    workflow_id: str
    decision_action: str | None
    decided_by: str | None
    decided_on_behalf_of: str | None


class CompletionResult(BaseModel):
    """What happened to one completion."""

    task_id: str
    status: Literal["accepted", "refused"]
    code: str | None = None
    reason_en: str | None = None
    reason_vi: str | None = None
    http_status: int = 200


class BulkResult(BaseModel):
    results: list[CompletionResult]
    accepted: int
    refused: int
