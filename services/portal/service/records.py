"""Between the task row and what the rules, the API and the workflows see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.portal.models import Task
from services.portal.schemas import TaskDetail, TaskSummary
from shared.auth import Principal
from shared.authz import TaskFacts, authorize_task
from shared.errors import Problem
from shared.task_rules import subject_user as subject_user  # re-exported: the portal files tasks with it
from shared.timestamps import as_utc
from shared.vietnamese import fold


def pack(values: list[str]) -> str:
    """A list as ``|a|b|`` (searchable with LIKE on SQLite and PostgreSQL)."""
    return "|" + "".join(f"{v}|" for v in values)


def unpack(text: str | None) -> list[str]:
    """The inverse of ``pack``."""
    return [v for v in (text or "").split("|") if v]


def _words(value: Any) -> list[str]:
    """The text in a dossier value (the values of mappings and lists, not their keys)."""
    if isinstance(value, dict):
        return [w for v in value.values() for w in _words(v)]
    if isinstance(value, list | tuple):
        return [w for v in value for w in _words(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def search_text(title_vi: str, title_en: str, dossier: Any) -> str:
    """What the inbox search looks in, folded (shared.vietnamese.fold): the titles and the dossier's words (the
    official's or candidate's name, the class, the campaign, the unit)."""
    return fold(" ".join([title_vi, title_en, *_words(dossier)]))


def facts(task: Task) -> TaskFacts:
    """What shared.authz looks at."""
    return TaskFacts(candidate_roles=frozenset(json.loads(task.candidate_roles)), unit_scope=task.unit_scope,
                     assignee=task.assignee, excluded_users=frozenset(unpack(task.excluded_users)),
                     excluded_units=frozenset(unpack(task.excluded_units)), subject_user_id=task.subject_user_id,
                     kind=task.kind)


def refusal_of(principal: Principal, task: Task, action: str) -> Problem | None:
    """The refusal shared.authz gives, or None when allowed."""
    try:
        authorize_task(principal, facts(task), action)
    except Problem as problem:
        return problem
    return None


SUMMARY_COLUMNS = ("id", "kind", "title_vi", "title_en", "subject", "status", "priority", "campaign", "unit_scope",
                   "candidate_roles", "assignee", "assigned_via", "on_behalf_of", "due_at", "overdue", "escalated",
                   "created_at")


def is_late(task: Any) -> bool:
    """Marked overdue by its workflow, or past its due time while still open."""
    due = as_utc(task.due_at)
    return bool(task.overdue) or (task.status != "completed" and due < datetime.now(UTC))


def summary(task: Any) -> TaskSummary:
    """An inbox row (from a task or from a row of SUMMARY_COLUMNS)."""
    values = {name: getattr(task, name) for name in SUMMARY_COLUMNS}
    values["candidate_roles"] = json.loads(task.candidate_roles)
    values["overdue"] = is_late(task)
    for name in ("due_at", "created_at"):
        values[name] = as_utc(values[name])
    return TaskSummary.model_construct(**values)


def actions_of(task: Task) -> list[dict[str, Any]]:
    """The task's actions with their inputs (as the workflow declared them)."""
    actions: list[dict[str, Any]] = json.loads(task.actions)
    return actions


def detail(task: Task, principal: Principal) -> TaskDetail:
    """A task with its dossier, and the actions this principal may take now."""
    refusal = refusal_of(principal, task, "complete")
    can_act = refusal is None and task.status == "open"
    refusal_doc = None if refusal is None else {"en": refusal.detail_en, "vi": refusal.detail_vi}
    return TaskDetail(
        **summary(task).model_dump(), dossier=json.loads(task.dossier), dossier_digest=task.dossier_digest,
        actions=actions_of(task), allowed_actions=actions_of(task) if can_act else [], refusal=refusal_doc,
        delegation_reason=task.delegation_reason, workflow_id=task.workflow_id,
        decision_action=task.decision_action, decided_by=task.decided_by,
        decided_on_behalf_of=task.decided_on_behalf_of)


@dataclass(frozen=True)
class DecisionAudit:
    """The audit record of a task's decision: its place in the portal's chain, when it was written, its hash."""

    seq: int
    recorded_at: datetime
    hash: str
    inputs: dict[str, Any]  # the decision's inputs as recorded (empty when the record keeps them secret)


async def decision_audit(session: AsyncSession, audit: Table, task: Task) -> DecisionAudit | None:
    """The audit record close_task wrote for the task's decision (``task.<signature>`` on ``task:<id>``), if any."""
    signatures = {a["name"]: a.get("signature", a["name"]) for a in actions_of(task)}
    action = f"task.{signatures.get(task.decision_action or '', task.decision_action)}"
    row = (await session.execute(
        select(audit.c.seq, audit.c.recorded_at, audit.c.hash, audit.c.body)
        .where(audit.c.subject == f"task:{task.id}", audit.c.action == action)
        .order_by(audit.c.seq.desc()).limit(1))).first()
    if row is None:
        return None
    recorded = (json.loads(row.body).get("inputs") or {}).get("inputs") or {}
    return DecisionAudit(int(row.seq), as_utc(datetime.fromisoformat(str(row.recorded_at))), str(row.hash),
                         dict(recorded))
