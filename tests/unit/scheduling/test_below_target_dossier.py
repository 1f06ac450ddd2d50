"""At the deadline scheduling tells the Board who waits and where a class below target could merge (real SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.scheduling.service import lifecycle
from shared.uow import unit_of_work
from tests.unit.scheduling.support import enrol, scheduling_context, seed_class, seed_programme


async def test_the_check_names_the_waitlist_in_vietnamese_order_and_the_classes_with_seats(tmp_path: Path) -> None:
    ctx = await scheduling_context(tmp_path)
    await seed_programme(ctx)
    today = datetime.now(UTC).date()
    low = await seed_class(ctx, code="LLCT-01", today=today, capacity=5, target=3)
    other = await seed_class(ctx, code="LLCT-02", today=today, capacity=5, start_in=40)
    full = await seed_class(ctx, code="LLCT-03", today=today, capacity=2, target=2, start_in=50)
    for class_id in (low, other, full):
        async with unit_of_work(ctx) as uow:
            await lifecycle.open_enrolment(uow, class_id=class_id, workflow_id="wf", run_id="r")
    await enrol(ctx, low, "An")
    await enrol(ctx, other, "Hòa")
    for who in ("Đức", "Lan", "Cường", "Bình"):
        await enrol(ctx, full, who)
    async with unit_of_work(ctx) as uow:
        check = await lifecycle.close_enrolment(uow, class_id=low, workflow_id="wf", run_id="r")
    async with unit_of_work(ctx) as uow:
        full_check = await lifecycle.close_enrolment(uow, class_id=full, workflow_id="wf", run_id="r")

    assert check.below_target and check.enrolled == 1
    assert [(m.class_code, m.seats_left) for m in check.merge_options] == [("LLCT-02", 4)]  # LLCT-03 is full
    assert check.merge_options[0].start_date > today.isoformat()
    assert not full_check.below_target and full_check.merge_options == []
    assert full_check.waitlist == ["Nguyễn Văn Bình", "Nguyễn Văn Cường"]  # Vietnamese order, not arrival
    await ctx.dispose()
