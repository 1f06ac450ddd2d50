"""The inbox query and authorize_task are the same rules: what is listed is exactly what one may decide."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from contracts.human_tasks import CloseTaskInput, TaskDecision, TaskOverdueInput
from services.portal.models import Task, TaskCandidate
from services.portal.service.inbox import InboxFilter, inbox
from services.portal.service.records import refusal_of, summary
from shared.auth import Principal, demo_users
from tests.unit.portal.support import Portal, make_portal


async def test_listing_matches_authorize_task_for_every_user_and_task(tmp_path: Path) -> None:
    await listing_matches_authorize_task(await make_portal(tmp_path))


async def test_the_candidate_index_follows_claims_escalations_and_completions(tmp_path: Path) -> None:
    """The default inbox (read from the candidate index) equals the inbox read from the task rows, after changes."""
    await candidate_index_follows_changes(await make_portal(tmp_path))


async def listing_matches_authorize_task(portal: Portal) -> None:
    """Every (user, task) over 288 task shapes: listed exactly when authorize_task allows deciding it."""
    shapes = itertools.product(
        [["organization_board"], ["examiner"], ["unit_officer"], ["committee_member", "committee_chair"]],
        [None, "DONGXOAI", "BINHLONG"],
        [[], ["btc.nguyenvanhai", "gk.hoangminhduc"]],
        [[], ["DONGXOAI", "TINHUY"]],
        [None, "btc.tranthithu", "gk.trannhuquynh"],
        ["registration:R1", "user:tv.dangvanlong"],
    )
    for n, (roles, scope, ex_users, ex_units, assignee, subject) in enumerate(shapes):
        await portal.ask(key=f"t{n}", candidate_roles=roles, unit_scope=scope, excluded_users=ex_users,
                         excluded_units=ex_units, assignee=assignee, subject=subject)
    async with portal.ctx.sessions() as s:
        tasks = (await s.execute(Task.__table__.select())).all()
        rows = [await s.get(Task, r.id) for r in tasks]
        people = [Principal(user_id=u["user_id"], roles=frozenset(u["roles"]), units=frozenset(u["units"]),
                            unit=u.get("unit")) for u in demo_users().values()]
        people.append(Principal(user_id="x.odd_user%", roles=frozenset({"unit_officer"}),
                                units=frozenset({"DONGXOAI", "BINHLONG"}), unit="DONG_XOAI"))
        people.append(Principal(user_id="o'brien\\x", roles=frozenset({"examiner", "unit_officer"}),
                                units=frozenset({"DONGXOAI", "O'NEILL"}), unit="O'NEILL"))  # quotes written into SQL
        for p in people:
            listed = {t.id for t in (await inbox(s, principal=p, f=InboxFilter(limit=200))).items}
            allowed = {t.id for t in rows if t is not None and refusal_of(p, t, "complete") is None}
            assert listed == allowed, p.user_id
    assert len(rows) == 4 * 3 * 2 * 2 * 3 * 2


async def candidate_index_follows_changes(portal: Portal) -> None:
    """The fast reading equals the reading from the task rows after claims, releases, reminders, escalations."""
    ids = [await portal.ask(key=f"t{n}", candidate_roles=roles, unit_scope=scope, kind=kind,
                            excluded_users=ex_users, subject=subject)
           for n, (roles, scope, kind, ex_users, subject) in enumerate(itertools.product(
               [["organization_board"], ["unit_officer"], ["examiner"]], [None, "DONGXOAI"],
               ["registration_review", "essay_marking"], [[], ["btc.nguyenvanhai"]],
               ["registration:R1", "user:btc.tranthithu"]))]
    people = [Principal(user_id=u["user_id"], roles=frozenset(u["roles"]), units=frozenset(u["units"]),
                        unit=u.get("unit")) for u in demo_users().values()]

    async def same_everywhere() -> None:
        far = datetime.now(UTC) + timedelta(days=3650)  # due_before forces the reading from the task rows
        async with portal.ctx.sessions() as s:
            for p in people:
                for f in (InboxFilter(limit=200), InboxFilter(limit=200, kind="essay_marking"),
                          InboxFilter(limit=7, offset=3, sort="-created"), InboxFilter(limit=5, sort="priority")):
                    fast = await inbox(s, principal=p, f=f)
                    slow = await inbox(s, principal=p, f=replace(f, due_before=far))
                    # the summaries the database writes are the ones records.summary builds from the task
                    for item in fast.items:
                        assert item == summary(await s.get(Task, item.id)), (p.user_id, item.id)
                    assert [t.id for t in fast.items] == [t.id for t in slow.items], (p.user_id, f)
                    assert (fast.total, fast.counts_by_kind, fast.overdue_count) == \
                        (slow.total, slow.counts_by_kind, slow.overdue_count), (p.user_id, f)

    await same_everywhere()
    async with portal.client("btc.nguyenvanhai") as board:
        claimed = [t for t in ids[:12] if (await board.post(f"/tasks/{t}/claim")).status_code == 200]
        assert claimed
        assert (await board.post(f"/tasks/{claimed[0]}/release")).status_code == 200
    await portal.acts.task_overdue(TaskOverdueInput(ids[20], "reminded"))
    await portal.acts.task_overdue(TaskOverdueInput(ids[21], "escalated", ["unit_officer", "organization_board"]))
    await portal.acts.close_task(CloseTaskInput(ids[22], TaskDecision(
        task_key="t22", task_id=ids[22], action="approve", inputs={}, comment="", actor_id="btc.nguyenvanhai",
        actor_role="organization_board")))
    await same_everywhere()
    async with portal.ctx.sessions() as s:
        copies = (await s.execute(select(TaskCandidate.task_id, TaskCandidate.status, TaskCandidate.assignee,
                                         TaskCandidate.overdue))).all()
        for task_id, status, assignee, overdue in copies:
            task = await s.get(Task, task_id)
            assert task is not None and (status, assignee, overdue) == (task.status, task.assignee, task.overdue)
        assert not [c for c in copies if c.task_id == ids[22]]


async def test_a_stalled_process_is_listed_and_decided_by_the_board_alone(tmp_path: Path) -> None:
    """shared.authz.TASK_KIND_ROLES: a process_stalled task filed (or escalated) to other roles too is still the
    Board's alone, in the listing as in authorize_task."""
    from contracts.stalls import stall_actions

    portal = await make_portal(tmp_path)
    ids = [await portal.ask(key=f"stalled:{n}", kind="process_stalled", actions=stall_actions(), unit_scope=scope,
                            candidate_roles=["organization_board", "unit_officer", "examiner"])
           for n, scope in enumerate([None, "DONGXOAI"])]
    async with portal.ctx.sessions() as s:
        rows = [await s.get(Task, t) for t in ids]
        people = [Principal(user_id=u["user_id"], roles=frozenset(u["roles"]), units=frozenset(u["units"]),
                            unit=u.get("unit")) for u in demo_users().values()]
        deciders = set()
        for p in people:
            listed = {t.id for t in (await inbox(s, principal=p, f=InboxFilter(limit=200))).items}
            allowed = {t.id for t in rows if t is not None and refusal_of(p, t, "complete") is None}
            assert listed == allowed, p.user_id
            if allowed:
                deciders.add(p.user_id)
                assert "organization_board" in p.roles, p.user_id
    assert deciders and all(u.startswith("btc.") for u in deciders), deciders
    unit_officer = next(p for p in people if "unit_officer" in p.roles and "organization_board" not in p.roles)
    assert rows[0] is not None
    refusal = refusal_of(unit_officer, rows[0], "complete")
    assert refusal is not None and "Chỉ Ban Tổ chức" in refusal.detail_vi
