"""Portal's own tables: human tasks (the inbox), who may pick them up, who viewed them, substitutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
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
        Index("ix_tasks_assignee_status", "assignee", "status"),
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
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_action: Mapped[str | None] = mapped_column(String(60), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    decided_on_behalf_of: Mapped[str | None] = mapped_column(String(120), nullable=True)
    decision_comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class TaskCandidate(Base):
    """One role that may pick up an OPEN task, with the task's unit (rows go when the task closes), so an inbox
    is an index range over (role, unit) rather than a scan of every task."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_role_unit", "role", "unit_scope", "task_id"),)

    task_id: Mapped[str] = mapped_column(String(36), ForeignKey("tasks.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(60), primary_key=True)
    unit_scope: Mapped[str | None] = mapped_column(String(40), nullable=True)


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
