"""The inbox query and authorize_task are the same rules: what is listed is exactly what one may decide."""

from __future__ import annotations

import itertools
from pathlib import Path

from services.portal.models import Task
from services.portal.queries import InboxFilter, inbox
from services.portal.records import refusal_of
from shared.auth import Principal, demo_users
from tests.unit.portal.support import make_portal


async def test_listing_matches_authorize_task_for_every_user_and_task(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
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
        for p in people:
            listed = {t.id for t in (await inbox(s, principal=p, f=InboxFilter(limit=200))).items}
            allowed = {t.id for t in rows if t is not None and refusal_of(p, t, "complete") is None}
            assert listed == allowed, p.user_id
    assert len(rows) == 4 * 3 * 2 * 2 * 3 * 2
