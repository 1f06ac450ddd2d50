"""Reading the inbox: the tasks I may decide (shared.authz.TASK_RULES: held by me or claimable within my roles and
unit scope), with totals; the rules as SQL over the inbox index and over the task rows, with their tuning."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    DateTime,
    Text,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from services.portal.models import COMPLETED, OPEN, Task, TaskCandidate, TaskExclusion
from services.portal.schemas import TaskInbox
from services.portal.service.inbox_documents import summary_document, utc_now
from shared.auth import Principal
from shared.authz import TASK_RULES, kinds_refused
from shared.vietnamese import fold

Sort = Literal["due", "-due", "priority", "created", "-created"]
_ORDER: dict[str, tuple[Any, ...]] = {
    "due": (Task.due_at.asc(), Task.id), "-due": (Task.due_at.desc(), Task.id),
    "priority": (Task.priority.asc(), Task.due_at.asc(), Task.id),
    "created": (Task.created_at.asc(), Task.id), "-created": (Task.created_at.desc(), Task.id),
}


@dataclass(frozen=True)
class InboxFilter:
    """What the approver narrowed the inbox to."""

    kind: str | None = None
    campaign: str | None = None
    status: Literal["open", "completed", "all"] = "open"
    due_before: datetime | None = None
    overdue: bool | None = None
    sort: Sort = "due"
    limit: int = 50
    offset: int = 0
    q: str | None = None  # words the task's title or dossier holds, diacritics and case ignored


# --- Who may decide a task (shared.authz.TASK_RULES) as SQL ------------------------------------------------------
# Each relation of a rule has two readings: over the inbox index (a TaskCandidate row, whose copies of the task's
# assignee, unit and subject follow the task) and over a task row (the filters the index does not serve). Tuning,
# measured in docs/performance.md: over the index, the caller's roles are the index's leading column, the unit scope
# is one of the disjoint ``unit_parts`` (an OR is no index range), and every "not among" rule reads the exclusion
# index (``exclusion_keys``) through one anti-join given once per statement, so no part visits a task row.

EXCLUSION_KEYS = {"excluded_users": "user", "excluded_units": "unit"}  # fact -> key prefix in task_exclusions
_CALLER_KEY: dict[str, Callable[[Principal], str | None]] = {  # "not among" relation -> the caller's value
    "user_not_in": lambda me: me.user_id, "unit_not_in": lambda me: me.unit}


def exclusion_keys(*, users: Iterable[str] = (), units: Iterable[str] = ()) -> list[str]:
    """A task's exclusions as rows of the exclusion index (four-eyes ``user:<id>``, conflict of interest
    ``unit:<code>``), written when the task is filed."""
    facts = {"excluded_users": users, "excluded_units": units}
    return list(dict.fromkeys(f"{EXCLUSION_KEYS[fact]}:{v}" for fact, values in facts.items() for v in values))


def caller_exclusion_keys(principal: Principal) -> list[str]:
    """The keys under which a task that excludes this principal is indexed (one per "not among" rule)."""
    return [f"{EXCLUSION_KEYS[r.fact]}:{v}" for r in TASK_RULES if r.relation in _CALLER_KEY
            and (v := _CALLER_KEY[r.relation](principal)) is not None]


def unit_parts(principal: Principal) -> list[str]:
    """My unit scope as disjoint parts: every unit when province-wide, else tasks without a unit and those of
    my units (a condition with an OR between them is no index range)."""
    if principal.province_wide:
        return ["all"]
    return ["none", "mine"] if principal.units else ["none"]


def _in_scope(me: Principal, unit: Any) -> Any:
    return true() if me.province_wide else or_(unit.is_(None), unit.in_(sorted(me.units)))


def _unit_part(me: Principal, unit: Any, part: str) -> Any:
    return {"all": true(), "none": unit.is_(None), "mine": unit.in_(sorted(me.units))}[part]


def _roles_in(me: Principal, role: Any) -> Any:
    return role.in_(sorted(me.roles)) if me.roles else false()


def _kind_ok(me: Principal, kind: Any) -> Any:
    refused = kinds_refused(me)
    return kind.not_in(refused) if refused else true()


def _packed_in(value: str | None, packed: Any) -> Any:  # a task row's list, stored as "|a|b|" (records.pack)
    return true() if value is None else ~packed.contains(f"|{value}|", autoescape=True)


_C = TaskCandidate
# relation -> its reading over a task row (the caller, the fact's column)
_ROW_SQL: dict[str, Callable[[Principal, Any], Any]] = {
    "user_not_in": lambda me, col: _packed_in(me.user_id, col),
    "unit_not_in": lambda me, col: _packed_in(me.unit, col),
    "not_user": lambda me, col: or_(col.is_(None), col != me.user_id),
    "none_or_user": lambda me, col: or_(col.is_(None), col == me.user_id),
    # the candidate rows of my roles, narrowed by my scope as well (they carry the task's unit): one index range
    "shares_role": lambda me, _col: Task.id.in_(select(_C.task_id).where(_roles_in(me, _C.role),
                                                                         _in_scope(me, _C.unit_scope))),
    "covered": _in_scope,
    "kind_role": _kind_ok,
}
# relation -> its reading over the inbox index (the caller, the fact's column, the part of my unit scope); the
# "not among" relations are the anti-join (``excluding``)
_INDEX_SQL: dict[str, Callable[[Principal, Any, str], Any]] = {
    "not_user": lambda me, col, _part: or_(col.is_(None), col != me.user_id),
    "none_or_user": lambda me, col, _part: or_(col.is_(None), col == me.user_id),
    "shares_role": lambda me, _col, _part: _roles_in(me, _C.role),
    "covered": lambda me, col, part: _unit_part(me, col, part),
    "kind_role": lambda me, col, _part: _kind_ok(me, col),
}
_INDEX_COLUMNS = {"assignee": _C.assignee, "subject_user_id": _C.subject_user_id, "unit_scope": _C.unit_scope,
                  "candidate_roles": _C.role, "kind": _C.kind}


def excluding(principal: Principal) -> Any:
    """The ids of the tasks a "not among" rule keeps from this principal, from the exclusion index."""
    return select(TaskExclusion.task_id).where(TaskExclusion.who.in_(caller_exclusion_keys(principal)))


def decidable_row(principal: Principal) -> Any:
    """The task rows the principal may decide: every rule of TASK_RULES, read over the task's own columns."""
    return and_(*(_ROW_SQL[r.relation](principal, getattr(Task, r.fact)) for r in TASK_RULES))


def decidable_index(principal: Principal, *, part: str, excluded: Any) -> Any:
    """The inbox index rows (open or not) whose task the principal may decide, within one of my ``unit_parts``;
    ``excluded``: the ids of ``excluding``, given once per statement (e.g. as a common table expression)."""
    conds = [_INDEX_SQL[r.relation](principal, _INDEX_COLUMNS[r.fact], part) for r in TASK_RULES
             if r.relation not in _CALLER_KEY]
    return and_(*conds, _C.task_id.not_in(excluded))


def visible(principal: Principal, status: str) -> Any:
    """Open tasks this principal may decide (the rules of shared.authz), or the tasks they decided.

    A task being completed (the Update in flight) leaves the inbox; close_task then marks it completed.
    """
    open_mine = and_(Task.status == OPEN, decidable_row(principal))
    decided = and_(Task.status == COMPLETED, Task.decided_by == principal.user_id)
    if status == "open":
        return open_mine
    if status == "completed":
        return decided
    return or_(open_mine, decided)


def _narrowed(principal: Principal, f: InboxFilter, *, with_kind: bool) -> list[Any]:
    now = datetime.now(UTC)
    conds = [visible(principal, f.status)]
    if f.kind and with_kind:
        conds.append(Task.kind == f.kind)
    if f.campaign:
        conds.append(Task.campaign == f.campaign)
    if f.due_before:
        conds.append(Task.due_at < f.due_before)
    # each word of the query begins a word of the task's folded text ("an" finds "An" and "Anh", not "Đăng")
    conds.extend(literal(" ", Text).concat(Task.search_folded).contains(" " + word, autoescape=True)
                 for word in fold(f.q or "").split())
    if f.overdue is True:
        conds.append(or_(Task.overdue.is_(True), and_(Task.status != COMPLETED, Task.due_at < now)))
    elif f.overdue is False:
        conds.append(and_(Task.overdue.is_(False), Task.due_at >= now))
    return conds


def _branches(principal: Principal, kind: str | None, *columns: str, excluded: Any) -> list[Any]:
    """My open, decidable tasks in disjoint parts of my unit scope, held by me or claimable alike (the holder is
    checked as a claimant is, so held tasks are in the same index range), with ``columns``: index ranges that never
    visit the task rows."""
    scoped = []
    for i, part in enumerate(unit_parts(principal)):  # disjoint, so each is an index range with no OR
        rows = select(_C.task_id, *(getattr(_C, n) for n in columns)).where(
            _C.status == OPEN, decidable_index(principal, part=part, excluded=excluded))
        if kind:
            rows = rows.where(_C.kind == kind)
        if len(principal.roles) > 1:  # a task open to two of my roles is one task
            rows = rows.distinct()
        scoped.append(rows.subquery(f"decidable{i}"))
    return scoped


def _order(rows: Any, sort: str) -> tuple[Any, ...]:
    first = {"due": (rows.c.due_at.asc(),), "-due": (rows.c.due_at.desc(),),
             "priority": (rows.c.priority.asc(), rows.c.due_at.asc()),
             "created": (rows.c.created_at.asc(),), "-created": (rows.c.created_at.desc(),)}[sort]
    return (*first, rows.c.task_id)


def _fast(f: InboxFilter) -> bool:
    """The default inbox (open tasks, narrowed by kind at most) is read from the candidate index."""
    return (f.status == "open" and not f.campaign and f.due_before is None and f.overdue is None
            and not fold(f.q or ""))


_NOW = bindparam("now", type_=DateTime(timezone=True))


@lru_cache(maxsize=1024)
def _statement(principal: Principal, kind: str | None, sort: str, limit: int, offset: int) -> Any:
    """One approver's default inbox in one statement, built once (building costs more than running): the page's
    summaries as JSON (``section`` 0, in order) followed by the counts per kind of each part (``section`` 1)."""
    keys = ("due_at", "priority", "created_at")
    # the tasks I may not decide, read once for every part
    excluded = select(excluding(principal).cte("excluding_me"))
    # the bounds are written into the statement: a generic plan (PostgreSQL) that does not know them scans every
    # task for `id IN (…)`
    parts = [select(p.c.task_id, *(p.c[k] for k in keys)).order_by(*_order(p, sort))
             .limit(literal_column(str(int(offset + limit)))).subquery()
             for p in _branches(principal, kind, *keys, excluded=excluded)]
    both = union_all(*(select(p) for p in parts)).subquery("mine")
    page_ids = (select(both.c.task_id).order_by(*_order(both, sort)).limit(literal_column(str(int(limit))))
                .offset(literal_column(str(int(offset)))))
    items = select(literal_column("0").label("section"), func.row_number().over(order_by=_ORDER[sort]).label("pos"),
                   summary_document(utc_now()).label("doc"), null().label("n"), null().label("late")
                   ).where(Task.id.in_(page_ids))
    counted = [select(literal_column("1"), null(), p.c.kind, func.count(),
                      func.sum(case((or_(p.c.overdue.is_(True), p.c.due_at < utc_now()), 1), else_=0)))
               .group_by(p.c.kind)
               for p in _branches(principal, None, "kind", "due_at", "overdue", excluded=excluded)]
    return _inline(union_all(items, *counted).order_by(literal_column("section"), literal_column("pos")))


def _inline(statement: Any) -> Any:
    """The statement with its values written into the SQL (escaped by SQLAlchemy) when it runs: with no bound
    values PostgreSQL plans a prepared statement once, where bound ones cost a new plan per request (~0.7 ms)."""

    def inline(element: Any) -> Any:
        if isinstance(element, BindParameter) and not element.literal_execute:
            return bindparam(element.key, element.value, type_=element.type, expanding=element.expanding,
                             literal_execute=True, unique=element.unique)
        return None

    return visitors.replacement_traverse(statement, {}, inline)  # type: ignore[call-overload]


async def _fast_inbox(session: AsyncSession | AsyncConnection, *, principal: Principal, f: InboxFilter) -> InboxPage:
    """The page: the first offset+limit of each part, merged; the counts: per part, added up."""
    rows = (await session.execute(_statement(principal, f.kind, f.sort, f.limit, f.offset))).all()
    docs = [doc for section, _, doc, _, _ in rows if section == 0]
    counts: dict[str, list[int]] = {}
    for section, _, k, n, late in rows:
        if section == 1:
            total = counts.setdefault(str(k), [0, 0])
            total[0], total[1] = total[0] + int(n), total[1] + int(late or 0)
    return InboxPage(docs, [(k, n, late) for k, (n, late) in counts.items()], f)


@dataclass(frozen=True)
class InboxPage:
    """One page of an inbox as read: the tasks' summaries as JSON text (in order) and the counts per kind."""

    docs: Sequence[str]
    counts: Sequence[tuple[Any, Any, Any]]  # (kind, tasks, of which late)
    f: InboxFilter

    def json(self) -> bytes:
        """The TaskInbox document."""
        by_kind = {str(k): int(n) for k, n, _ in self.counts}
        total = by_kind.get(self.f.kind, 0) if self.f.kind else sum(by_kind.values())
        overdue = sum(int(o or 0) for k, _, o in self.counts if not self.f.kind or k == self.f.kind)
        rest = json.dumps({"total": total, "limit": self.f.limit, "offset": self.f.offset, "counts_by_kind": by_kind,
                           "overdue_count": overdue}, ensure_ascii=False, separators=(",", ":"))
        return f'{{"items":[{",".join(self.docs)}],{rest[1:]}'.encode()

    def model(self) -> TaskInbox:
        return TaskInbox.model_validate_json(self.json())


async def read_inbox(session: AsyncSession | AsyncConnection, *, principal: Principal, f: InboxFilter) -> InboxPage:
    """One page of the principal's inbox with the counts per kind (totals and overdue follow from them)."""
    if _fast(f):
        return await _fast_inbox(session, principal=principal, f=f)
    now = datetime.now(UTC)
    docs = (await session.execute(
        select(summary_document(_NOW)).where(*_narrowed(principal, f, with_kind=True)).order_by(*_ORDER[f.sort])
        .limit(f.limit).offset(f.offset), {"now": now})).scalars().all()
    late = func.sum(case((or_(Task.overdue.is_(True), Task.due_at < now), 1), else_=0))
    counts = (await session.execute(
        select(Task.kind, func.count(), late).where(*_narrowed(principal, f, with_kind=False))
        .group_by(Task.kind))).all()
    return InboxPage(docs, [tuple(c) for c in counts], f)


async def inbox(session: AsyncSession | AsyncConnection, *, principal: Principal, f: InboxFilter) -> TaskInbox:
    """One page of the principal's inbox, the total, counts per kind and the overdue count."""
    return (await read_inbox(session, principal=principal, f=f)).model()
