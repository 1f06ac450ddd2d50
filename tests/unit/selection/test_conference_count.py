"""The Board's nomination dossier reads each conference's count back from the stored tally (real SQLite)."""

from __future__ import annotations

from pathlib import Path

from services.selection.service import ballots
from shared.uow import unit_of_work
from tests.unit.selection.support import selection_ctx
from tests.unit.selection.test_ballot_secrecy import BOARD, _campaign


async def test_the_count_names_the_convened_the_returned_the_threshold_and_each_nominee(tmp_path: Path) -> None:
    _, ctx = await selection_ctx(tmp_path)
    campaign_id, ids, conf_id = await _campaign(ctx, nominees=3, roster=6, max_names=2)
    async with unit_of_work(ctx) as uow:
        assert await ballots.conference_count(uow, conference_id=conf_id) is None  # still open: no count
        tokens = await ballots.issue_tokens(uow, campaign_id=campaign_id, conference_code="HN-DX",
                                            actor=BOARD)
    for token, names in zip(tokens, [[ids[0], ids[1]], [ids[0]], [ids[0], ids[2]], [ids[0]], [ids[1]]],
                            strict=False):
        async with unit_of_work(ctx) as uow:
            await ballots.cast_ballot(uow, token=token, nominees=names)
    async with unit_of_work(ctx) as uow:
        await ballots.close_conference(uow, campaign_id=campaign_id, conference_id=conf_id, workflow=("wf", "run"))
    async with unit_of_work(ctx) as uow:
        count = await ballots.conference_count(uow, conference_id=conf_id)

    assert count is not None
    assert (count.code, count.convened, count.ballots_returned) == ("HN-DX", 6, 5)
    assert (count.threshold, count.base, count.base_count) == ("0.5", "convened", 6)
    votes = {n.full_name: (n.votes, n.proposed) for n in count.nominees}
    assert votes["Nguyễn Văn A"] == (4, True)  # 4 of 6 convened: more than half
    assert votes["Nguyễn Văn B"] == (2, False)
    assert votes["Nguyễn Văn C"] == (1, False)
    await ctx.dispose()

