"""Portal's own tables: human tasks (the inbox), who may pick them up, who viewed them, substitutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.tables import define_infra_tables

metadata = MetaData()
INFRA = define_infra_tables(metadata)

OPEN = "open"
COMPLETING = "completing"
COMPLETED = "completed"


class Base(DeclarativeBase):
    metadata = metadata


class Task(Base):
    """A decision a workflow waits for; completed through the workflow's Update, closed by close_task."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("workflow_id", "task_key", name="uq_task_workflow_key"),
        Index("ix_tasks_status_due", "status", "due_at"),
        # the tasks one holds (a substitute takes them over). The inbox no longer reads it: held tasks are in the
        # candidate index's range with the claimable ones (services/portal/service/inbox.py)
        Index("ix_tasks_held", "assignee", "status", "due_at", "kind", "overdue", "subject_user_id", "priority",
              "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[str] = mapped_column(String(64))
    workflow_type: Mapped[str] = mapped_column(String(120))
    update_name: Mapped[str] = mapped_column(String(120))
    task_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60), index=True)
    title_vi: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str] = mapped_column(String(200))
    subject_user_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    candidate_roles: Mapped[str] = mapped_column(Text)  # JSON list
    candidate_group: Mapped[str] = mapped_column(String(60))  # the first candidate role (a bounded metric label)
    escalation_roles: Mapped[str] = mapped_column(Text)  # JSON list
    unit_scope: Mapped[str | None] = mapped_column(String(40), nullable=True)
    excluded_users: Mapped[str] = mapped_column(Text, default="|")  # "|u1|u2|" (searchable on both databases)
    excluded_units: Mapped[str] = mapped_column(Text, default="|")
    assignee: Mapped[str | None] = mapped_column(String(120), nullable=True)
    assigned_via: Mapped[str | None] = mapped_column(String(20), nullable=True)  # claim, assign …
    on_behalf_of: Mapped[str | None] = mapped_column(String(120), nullable=True)
    delegation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    campaign: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    dossier: Mapped[str] = mapped_column(Text)  # JSON
    dossier_digest: Mapped[str] = mapped_column(String(64))
    actions: Mapped[str] = mapped_column(Text)  # JSON list of TaskAction
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completing_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # when the completion was committed, before its Update: the reconciler settles one left over a grace period
    completing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_action: Mapped[str | None] = mapped_column(String(60), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    decided_on_behalf_of: Mapped[str | None] = mapped_column(String(120), nullable=True)
    decision_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the words the inbox search looks in (titles and the dossier's words), folded (shared.vietnamese.fold) when the
    # task is filed: "nguyen van an" finds "Nguyễn Văn An" with a LIKE on both databases
    search_folded: Mapped[str] = mapped_column(Text, default="", server_default="")


# the page is an index range over (role, unit, status, due); the counts one over (role, unit, status, kind), each
# read from the index alone: the exclusions are rows of their own (TaskExclusion), left out by one anti-join
INBOX_INDEX = ("role", "unit_scope", "status", "due_at", "assignee", "kind", "overdue", "priority", "created_at",
               "subject_user_id", "task_id")
COUNTS_INDEX = ("role", "unit_scope", "status", "kind", "assignee", "overdue", "due_at", "subject_user_id", "task_id")


class TaskCandidate(Base):
    """The inbox index: one row per role that may pick up an unclosed task (rows go when the task closes), with
    copies of what the rules, the order and the counts read, so an inbox is an index range over (role, unit,
    status, due) that never visits the task rows. The copies follow the task in the same flush (see below)."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_role_unit", "role", "unit_scope", "task_id"),
                      Index("ix_task_candidates_inbox", *INBOX_INDEX),
                      Index("ix_task_candidates_counts", *COUNTS_INDEX))

    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("tasks.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(60), primary_key=True)
    unit_scope: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # copies of the task (immutable ones set when filed; status, assignee, overdue follow every change)
    status: Mapped[str] = mapped_column(String(20), default=OPEN, server_default=OPEN)
    assignee: Mapped[str | None] = mapped_column(String(120), nullable=True)
    kind: Mapped[str] = mapped_column(String(60), default="", server_default="")
    priority: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    subject_user_id: Mapped[str | None] = mapped_column(String(120), nullable=True)

    @classmethod
    def of(cls, task: Task, role: str) -> TaskCandidate:
        """The inbox index row of a task for one candidate role."""
        return cls(task_id=task.id, role=role, unit_scope=task.unit_scope, status=task.status,
                   assignee=task.assignee, kind=task.kind, priority=task.priority, due_at=task.due_at,
                   created_at=task.created_at, overdue=task.overdue, subject_user_id=task.subject_user_id)


class TaskExclusion(Base):
    """Who may not decide an unclosed task, one row each (``services.portal.service.inbox.exclusion_keys``: four-eyes
    ``user:<id>``, conflict of interest ``unit:<code>``), so the inbox leaves those tasks out without reading the
    task rows.
    Written when the task is filed (exclusions never change), removed when it closes."""

    __tablename__ = "task_exclusions"

    who: Mapped[str] = mapped_column(String(200), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("tasks.id"), primary_key=True)


@event.listens_for(Task, "after_update")
def _follow_task(_mapper: Any, connection: Connection, task: Task) -> None:
    """Keep the inbox index in step with the task, in the same transaction as the change."""
    connection.execute(update(TaskCandidate).where(TaskCandidate.task_id == task.id)
                       .values(status=task.status, assignee=task.assignee, overdue=task.overdue))


class TaskView(Base):
    """Who opened a task, when."""

    __tablename__ = "task_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("tasks.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(120))
    on_behalf_of: Mapped[str | None] = mapped_column(String(120), nullable=True)
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Substitute(Base):
    """An out-of-office period: the person's new and open tasks route to the delegate."""

    __tablename__ = "substitutes"
    __table_args__ = (Index("ix_substitutes_user", "user_id", "starts_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(120))
    delegate: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
