"""Upgrading a portal with unclosed tasks: their exclusions become rows of the exclusion index."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrate import upgrade

BEFORE = "75de97874919"  # candidates carried the exclusion lists


async def test_unclosed_tasks_exclusions_become_rows(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/portal.db"
    await upgrade("portal", url, BEFORE)
    engine = create_async_engine(url)
    columns = ("id, workflow_id, run_id, workflow_type, update_name, task_key, kind, title_vi, title_en, subject, "
               "candidate_roles, candidate_group, escalation_roles, excluded_users, excluded_units, status, priority, "
               "dossier, dossier_digest, actions, due_at, overdue, escalated, created_at")
    async with engine.begin() as conn:
        for task_id, users, units, status in (("t1", "|gk.a|gk.b|", "|DONGXOAI|", "open"), ("t2", "|", "|", "open"),
                                              ("t3", "|gk.a|", "|", "completed")):
            await conn.execute(text(
                f"INSERT INTO tasks ({columns}) VALUES (:id, 'wf', 'r', 'W', 'u', :id, 'essay_marking', 'x', 'x', "
                "'s', '[]', 'examiner', '[]', :users, :units, :status, 2, '{}', '0', '[]', '2026-11-29 00:00:00', "
                "0, 0, '2026-11-29 00:00:00')"), {"id": task_id, "users": users, "units": units, "status": status})
    await upgrade("portal", url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT who, task_id FROM task_exclusions ORDER BY who"))).all()
    await engine.dispose()
    assert [tuple(r) for r in rows] == [("unit:DONGXOAI", "t1"), ("user:gk.a", "t1"), ("user:gk.b", "t1")]
