"""What every fault must leave behind, read straight from the services' databases (PostgreSQL or the embedded
SQLite files): no decision recorded twice, no event published twice, no task or enrolment made twice."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text

SERVICES = ("registration", "scheduling", "selection", "portal")
EVENT_VOLATILE = ("id", "time", "traceparent")  # fresh per emission: two emissions of one fact differ only here


@dataclass
class Duplicates:
    """Each kind of duplicate found, with a few examples to name in a failure."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, found: Counter[Any]) -> None:
        extra = {k: n for k, n in found.items() if n > 1}
        self.counts[kind] = self.counts.get(kind, 0) + sum(n - 1 for n in extra.values())
        self.examples += [f"{kind}: {k} ×{n}" for k, n in list(extra.items())[:3]]

    def summary(self) -> str:
        return ", ".join(f"{k} {n}" for k, n in self.counts.items() if n) or "0"


def sync_url(url: str) -> str:
    return url.replace("+asyncpg", "+psycopg").replace("+aiosqlite", "")


def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


def _event_content(payload: str) -> str:
    doc = json.loads(payload)
    return json.dumps({k: v for k, v in doc.items() if k not in EVENT_VOLATILE}, sort_keys=True, ensure_ascii=False)


def duplicates(db_url: dict[str, str]) -> Duplicates:
    """Duplicates across the services' databases (db_url: service → SQLAlchemy URL).

    - audit records with the same chain, action, subject and inputs (digest) and actor;
    - events with the same id, and events with the same content apart from their id and time;
    - tasks with the same workflow, kind, subject and candidates (a task filed twice under another key);
    - enrolments of one person in one class, and registrations with the same key made twice."""
    dup = Duplicates()
    audit: Counter[Any] = Counter()
    ids: Counter[Any] = Counter()
    contents: Counter[Any] = Counter()
    for service, url in db_url.items():
        for chain, action, subject, body in _rows(url, "SELECT chain, action, subject, body FROM audit_log"):
            b = json.loads(body)
            actor = json.dumps(b.get("actor"), sort_keys=True)
            audit[(service, chain, action, subject, b.get("inputs_digest"), actor)] += 1
        for event_id, topic, key, payload in _rows(url, "SELECT event_id, topic, key, payload FROM outbox"):
            ids[event_id] += 1
            contents[(topic, key, _event_content(payload))] += 1
    dup.add("audit", audit)
    dup.add("event id", ids)
    dup.add("event content", contents)
    tasks: Counter[Any] = Counter(tuple(r) for r in _rows(
        db_url["portal"],
        "SELECT workflow_id, kind, subject, assignee, candidate_roles, excluded_users, subject_user_id FROM tasks"))
    dup.add("task", tasks)
    dup.add("enrolment", Counter(tuple(r) for r in _rows(
        db_url["scheduling"], "SELECT class_id, official_id FROM enrolments")))
    dup.add("registration", Counter(tuple(r) for r in _rows(
        db_url["registration"], "SELECT official_id, programme_code, plan_year, status FROM registrations")))
    return dup


def stuck_tasks(db_url: dict[str, str]) -> list[tuple[str, str, str]]:
    """Tasks left open or half-completed (kind, subject, status) once the workload is over."""
    return [tuple(r) for r in _rows(db_url["portal"],  # type: ignore[misc]
                                    "SELECT kind, subject, status FROM tasks WHERE status IN ('open', 'completing')")]
