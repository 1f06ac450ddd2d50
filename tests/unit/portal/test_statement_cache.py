"""The inbox statements are cacheable: SQLAlchemy compiles them once per engine, not on every request.

A custom construct that does not set ``inherit_cache`` in its own class makes SQLAlchemy give up caching the
whole statement that contains it (with an SAWarning nobody sees) and compile it on every execution. The checks
run with SAWarnings as errors; ``tests/integration/test_portal_inbox_pg.py`` runs them on PostgreSQL too.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc

from services.portal.service import inbox_documents as documents
from services.portal.service.inbox import InboxFilter, _statement, read_inbox
from shared.auth import Principal
from tests.unit.portal.support import Portal, make_portal

OFFICER = Principal(user_id="tc.dongxoai", roles=frozenset({"unit_officer"}), units=frozenset({"DONGXOAI"}),
                    unit="DONGXOAI")
BOARD = Principal(user_id="btc.nguyenvanhai", roles=frozenset({"organization_board", "unit_officer"}),
                  units=frozenset({"*"}))


def _portable_classes() -> list[type]:
    found: list[type] = []
    todo: list[type] = [documents._Portable]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_portable_construct_sets_inherit_cache_itself() -> None:
    # SQLAlchemy reads the flag from each class's own __dict__: inheriting it from the base is not enough
    missing = [c.__name__ for c in _portable_classes() if c.__dict__.get("inherit_cache") is not True]
    assert not missing, f"set inherit_cache = True on {missing}"


def test_the_inbox_statement_has_a_cache_key() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", exc.SAWarning)
        for principal in (OFFICER, BOARD):
            statement = _statement(principal, None, "due", 50, 0)
            assert statement._generate_cache_key() is not None, principal.user_id


@contextmanager
def _cache_outcomes(portal: Portal) -> Iterator[list[tuple[str, str]]]:
    """(cache outcome, SQL) of every statement the portal's engine runs meanwhile, with SAWarnings as errors."""
    seen: list[tuple[str, str]] = []

    def record(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        seen.append((getattr(context.cache_hit, "name", str(context.cache_hit)), statement))

    target = portal.ctx.engine.sync_engine
    event.listen(target, "after_cursor_execute", record)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", exc.SAWarning)
            yield seen
    finally:
        event.remove(target, "after_cursor_execute", record)


async def statements_are_cached(portal: Portal) -> None:
    """The default inbox (one statement) and a filtered one (two statements): the second time round, every
    statement comes from the compiled cache, and none warns."""
    for n, (roles, scope) in enumerate([(["unit_officer"], "DONGXOAI"), (["organization_board"], None),
                                        (["unit_officer"], "BINHLONG")]):
        await portal.ask(key=f"t{n}", candidate_roles=roles, unit_scope=scope)
    filters = [InboxFilter(), InboxFilter(kind="registration_review"), InboxFilter(status="all")]
    for principal in (OFFICER, BOARD):
        for f in filters:
            with _cache_outcomes(portal) as first:
                async with portal.ctx.reading() as conn:
                    page = await read_inbox(conn, principal=principal, f=f)
            assert page.docs, (principal.user_id, f)
            with _cache_outcomes(portal) as second:
                async with portal.ctx.reading() as conn:
                    again = await read_inbox(conn, principal=principal, f=f)
            assert again.docs == page.docs
            inbox_runs = [(hit, sql) for hit, sql in second if "task" in sql.lower()]
            assert inbox_runs and len(inbox_runs) == len([s for _, s in first if "task" in s.lower()])
            not_cached = [(hit, sql[:120]) for hit, sql in inbox_runs if hit != "CACHE_HIT"]
            assert not not_cached, (principal.user_id, f, not_cached)


async def test_inbox_statements_are_compiled_once_on_sqlite(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    try:
        await statements_are_cached(portal)
    finally:
        await portal.ctx.dispose()


async def test_get_tasks_emits_no_sawarning(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    try:
        await portal.ask(key="t", candidate_roles=["organization_board"])
        with warnings.catch_warnings():
            warnings.simplefilter("error", exc.SAWarning)
            async with portal.client("btc.nguyenvanhai") as client:
                for query in ("", "?kind=registration_review", "?status=all", "?overdue=true", "?sort=-created"):
                    resp = await client.get(f"/tasks{query}")
                    assert resp.status_code == 200, resp.text
    finally:
        await portal.ctx.dispose()
