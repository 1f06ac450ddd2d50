"""Inbox benchmark (not a test): the portal's GET /tasks (one approver's 50 of 100,000 tasks, with authorisation
rules, totals and counts per kind) against a bare FastAPI + SQLAlchemy endpoint running one indexed query over the
same rows, in the same process and run. Prints both rates and the ratio portal / bare (target ≥ 0.6), and one
`RESULT` line (bench.result).

    .venv/bin/python -m bench.tasks --n 100000 --requests 300                  # SQLite (embedded profile)
    CADRE_TEST_PG_DSN=… .venv/bin/python -m bench.tasks --pg                   # PostgreSQL (or: make bench)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, text

from bench.result import emit, need
from services.portal.api import tasks as api
from services.portal.config import PortalSettings
from services.portal.models import INFRA, Task, TaskCandidate, TaskExclusion, metadata
from services.portal.service.inbox import exclusion_keys
from services.portal.service.records import pack
from shared.auth import issue_token
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.migrate import upgrade
from shared.web import build_app

KINDS = {"registration_review": "organization_board", "class_below_target": "organization_board",
         "nomination_confirmation": "unit_officer", "screening_confirmation": "unit_officer",
         "essay_marking": "examiner", "interview_scoring": "examiner", "committee_vote": "committee_member",
         "attendance_check": "institution_staff"}
UNITS = [f"U{i:03d}" for i in range(50)]
ME_UNIT = "U007"
CANDIDATE_COPIES = ("status", "assignee", "kind", "priority", "due_at", "created_at", "overdue",
                    "subject_user_id")  # the task's values the inbox index carries
TARGET = 0.6
BARE_DDL = ["CREATE TABLE bare_tasks (id VARCHAR(36) PRIMARY KEY, role VARCHAR(60), unit_scope VARCHAR(40), "
            "status VARCHAR(20), kind VARCHAR(60), title_vi VARCHAR(400), title_en VARCHAR(400), "
            "subject VARCHAR(200), priority INTEGER, due_at TIMESTAMP WITH TIME ZONE)",
            "CREATE INDEX ix_bare ON bare_tasks (role, unit_scope, status, due_at)"]


async def seed(ctx: ServiceContext, n: int) -> None:
    """n open tasks over 8 kinds and 50 units, in the portal's tables and in the bare table."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    kinds = list(KINDS)
    async with ctx.engine.begin() as conn:
        for ddl in BARE_DDL:
            await conn.execute(text(ddl))
    for start in range(0, n, 5000):
        tasks, cands, exclusions, bare = [], [], [], []
        for i in range(start, min(n, start + 5000)):
            kind = kinds[i % len(kinds)]
            role, unit = KINDS[kind], UNITS[rng.randrange(len(UNITS))]
            tid, due = str(uuid.uuid4()), now + timedelta(minutes=rng.randrange(-600, 20000))
            title = f"Hồ sơ số {i}"
            ex_users, ex_units = ([] if i % 11 else ["u.proposer"]), ([] if i % 13 else [unit])
            tasks.append({
                "id": tid, "workflow_id": f"wf-{i}", "run_id": "r", "workflow_type": "Bench",
                "update_name": "complete_task", "task_key": "k", "kind": kind, "title_vi": title, "title_en": title,
                "subject": f"case:{i}", "subject_user_id": None, "candidate_roles": json.dumps([role]),
                "candidate_group": role, "escalation_roles": "[]", "unit_scope": unit,
                "excluded_users": pack(ex_users), "excluded_units": pack(ex_units),
                "assignee": "tc.bench" if i % 1000 == 3 else (f"user{i % 700}" if i % 10 == 0 else None),
                "status": "open", "priority": 1 + i % 3, "dossier": "{}", "dossier_digest": "0" * 64,
                "actions": "[]", "due_at": due, "overdue": False, "escalated": False, "created_at": now})
            row = tasks[-1]
            cands.append({"task_id": tid, "role": role, "unit_scope": unit, **{c: row[c] for c in CANDIDATE_COPIES}})
            exclusions += [{"who": k, "task_id": tid} for k in exclusion_keys(users=ex_users, units=ex_units)]
            bare.append({"id": tid, "role": role, "unit_scope": unit, "status": "open", "kind": kind,
                         "title_vi": title, "title_en": title, "subject": f"case:{i}", "priority": 1 + i % 3,
                         "due_at": due})
        async with ctx.engine.begin() as conn:
            await conn.execute(insert(Task), tasks)
            await conn.execute(insert(TaskCandidate), cands)
            await conn.execute(insert(TaskExclusion), exclusions)
            await conn.execute(text("INSERT INTO bare_tasks VALUES (:id, :role, :unit_scope, :status, :kind, "
                                    ":title_vi, :title_en, :subject, :priority, :due_at)"), bare)
    if ctx.engine.dialect.name == "postgresql":  # as autovacuum would: visibility map set, statistics fresh
        async with ctx.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM (FREEZE, ANALYZE)"))
    else:
        async with ctx.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))


def bare_app(ctx: ServiceContext) -> FastAPI:
    """The baseline: FastAPI + SQLAlchemy, one indexed query, no auth, no middleware. ``/tasks`` reads through a
    session (as such an endpoint is written); ``/tasks-reader`` through the reader connection the portal uses."""
    app = FastAPI()
    query = text("SELECT id, kind, title_vi, title_en, subject, priority, due_at FROM bare_tasks "
                 "WHERE role = :role AND unit_scope = :unit AND status = 'open' ORDER BY due_at LIMIT 50")

    @app.get("/tasks")
    async def tasks(role: str, unit: str) -> list[dict[str, Any]]:
        async with ctx.sessions() as session:
            rows = (await session.execute(query, {"role": role, "unit": unit})).mappings().all()
        return [dict(r) for r in rows]

    @app.get("/tasks-reader")
    async def tasks_reader(role: str, unit: str) -> list[dict[str, Any]]:
        async with ctx.reading() as conn:
            rows = (await conn.execute(query, {"role": role, "unit": unit})).mappings().all()
        return [dict(r) for r in rows]

    return app


async def rate(client: httpx.AsyncClient, url: str, requests: int, headers: dict[str, str]) -> tuple[float, int]:
    """Requests per second (sequential) and the item count of the last answer."""
    started = time.perf_counter()
    body: Any = None
    for _ in range(requests):
        resp = await client.get(url, headers=headers)
        resp.raise_for_status()
        body = resp.json()
    elapsed = time.perf_counter() - started
    items = body["items"] if isinstance(body, dict) else body
    return requests / elapsed, len(items)


async def main(n: int, requests: int, pg: bool, reuse: str | None) -> None:
    tmp = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="bench-tasks-"))
    tmp.mkdir(parents=True, exist_ok=True)
    seeded = reuse is not None and not pg and (tmp / "portal.db").exists()
    settings = Settings(data_dir=tmp)
    if pg:
        need("CADRE_TEST_PG_DSN")
        from tests.support import infra

        settings = Settings(data_dir=tmp, database_url=infra.new_database_template(),
                            jwt_secret="bench-secret-0123456789abcdef-0123456789")  # type: ignore[arg-type]
    url = settings.db_url("portal")
    ctx = build_context("portal", settings, metadata, INFRA, url=url)
    if not seeded:
        await upgrade("portal", url)
        t0 = time.perf_counter()
        await seed(ctx, n)
        print(f"seeded {n} tasks in {time.perf_counter() - t0:.1f}s ({'PostgreSQL' if pg else 'SQLite'})")
    portal = build_app(service="portal", title="portal", settings=settings, routers=[api.router], readiness={},
                       state={"ctx": ctx, "update_sender": None, "portal_settings": PortalSettings()})
    token = issue_token(settings, user_id="tc.bench", roles=["unit_officer"], units=[ME_UNIT], unit=ME_UNIT)
    auth = {"Authorization": f"Bearer {token}"}
    ratios: list[float] = []
    reader_ratios: list[float] = []
    portal_rates: list[float] = []
    bare_rates: list[float] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal), base_url="http://portal") as pc, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=bare_app(ctx)), base_url="http://bare") as bc:
        await rate(pc, "/tasks?limit=50", 20, auth)
        await rate(bc, f"/tasks?role=unit_officer&unit={ME_UNIT}", 20, {})
        for _ in range(3):  # interleaved rounds, so all see the same machine state
            p_rate, p_items = await rate(pc, "/tasks?limit=50", requests, auth)
            b_rate, b_items = await rate(bc, f"/tasks?role=unit_officer&unit={ME_UNIT}", requests, {})
            r_rate, _ = await rate(bc, f"/tasks-reader?role=unit_officer&unit={ME_UNIT}", requests, {})
            ratios.append(p_rate / b_rate)
            portal_rates.append(p_rate)
            bare_rates.append(b_rate)
            reader_ratios.append(p_rate / r_rate)
            print(f"portal GET /tasks: {p_rate:7.1f} req/s ({p_items} items) | bare indexed query: "
                  f"{b_rate:7.1f} req/s ({b_items} items) | ratio {p_rate / b_rate:.2f} | bare through the "
                  f"reader: {r_rate:7.1f} req/s, ratio {p_rate / r_rate:.2f}")
        total = (await pc.get("/tasks?limit=1", headers=auth)).json()["total"]
    ratio = statistics.median(ratios)
    print(f"approver sees {total} of {n} tasks; median ratio portal/bare = {ratio:.2f} "
          f"(target >= {TARGET}); against the bare query through the same reader connection: "
          f"{statistics.median(reader_ratios):.2f}")
    emit(f"inbox on {'PostgreSQL' if pg else 'SQLite'}: portal GET /tasks / bare indexed query ({n:,} tasks)",
         baseline=f"{statistics.median(bare_rates):,.0f} req/s", ours=f"{statistics.median(portal_rates):,.0f} req/s",
         ratio=ratio, target=f"≥ {TARGET}", met=ratio >= TARGET,
         note=f"against the bare query through the same reader: {statistics.median(reader_ratios):.2f}")
    await ctx.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pg", action="store_true", help="use PostgreSQL from CADRE_TEST_PG_DSN")
    parser.add_argument("--reuse", help="a directory whose seeded SQLite portal.db is reused (seeded if absent)")
    args = parser.parse_args()
    os.environ.setdefault("CADRE_LOG_LEVEL", "WARNING")
    asyncio.run(main(args.n, args.requests, args.pg, args.reuse))
