"""The secret ballot: nothing stored links a voter to a ballot; a token votes once; the stored tally is the
domain tally of exactly the ballots cast (property-tested through the service on a real SQLite database)."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from services.selection.domain.tally import tally_ballots
from services.selection.models import Conference
from services.selection.schemas import CampaignCreate, NominationIn
from services.selection.service import ballots, campaigns
from shared.audit import Actor
from shared.context import ServiceContext
from shared.errors import Problem
from shared.uow import unit_of_work
from tests.unit.selection.support import campaign_payload, selection_ctx, unique_number

BOARD = Actor("btc.nguyenvanhai", "organization_board")


async def _campaign(ctx: ServiceContext, nominees: int, roster: int, max_names: int) -> tuple[str, list[str], str]:
    now = datetime.now(UTC)
    body = campaign_payload(unique_number(), now, conferences=[
        {"code": "HN-DX", "unit_code": "DONGXOAI", "roster": [f"voter-{i:03d}" for i in range(roster)],
         "max_names": max_names, "close_at": (now + timedelta(hours=1)).isoformat()}])
    async with unit_of_work(ctx) as uow:
        campaign = await campaigns.create_campaign(uow, data=CampaignCreate.model_validate(body), actor=BOARD)
    ids = []
    for i in range(nominees):
        async with unit_of_work(ctx) as uow:
            cand = await campaigns.propose_nominee(uow, campaign_id=campaign.id, actor=BOARD, data=NominationIn(
                official_id=f"off-{i}", full_name=f"Nguyễn Văn {chr(65 + i)}", unit_code="DONGXOAI",
                group_code="G1", evaluation="Hoàn thành tốt nhiệm vụ"))
        ids.append(cand.id)
    async with ctx.sessions() as s:
        conf_id = (await s.execute(text("SELECT id FROM conferences WHERE campaign_id = :c"),
                                   {"c": campaign.id})).scalar_one()
    return campaign.id, ids, conf_id


async def _dump(ctx: ServiceContext) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    async with ctx.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        out = {}
        for name in names:
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            out[name] = (list(result.keys()), [tuple(r) for r in result.all()])
    return out


async def test_the_database_holds_no_voter_ballot_link(tmp_path: Path) -> None:
    _, ctx = await selection_ctx(tmp_path)
    campaign_id, ids, conf_id = await _campaign(ctx, nominees=4, roster=6, max_names=2)
    async with unit_of_work(ctx) as uow:
        tokens = await ballots.issue_tokens(uow, campaign_id=campaign_id, conference_code="HN-DX", actor=BOARD)
    cast = [[ids[0], ids[1]], [ids[0]], [], [ids[2], ids[0]], [ids[3]]]
    for token, names in zip(tokens, cast, strict=False):
        async with unit_of_work(ctx) as uow:
            await ballots.cast_ballot(uow, token=token, nominees=names)
    try:
        async with unit_of_work(ctx) as uow:
            await ballots.cast_ballot(uow, token=tokens[0], nominees=[ids[3]])
        raise AssertionError("a token voted twice")
    except Problem as problem:
        assert problem.code == "ballot_token_used"
    before = await _dump(ctx)
    assert before["ballots"][1] == []  # written only at the close; until then each ballot is sealed
    ballot_ids_before = {r[0] for r in before["sealed_ballots"][1]}
    assert len(ballot_ids_before) == len(cast)
    async with unit_of_work(ctx) as uow:
        await ballots.close_conference(uow, campaign_id=campaign_id, conference_id=conf_id, workflow=("wf", "run"))
    tables = await _dump(ctx)

    assert tables["ballots"][0] == ["id", "conference_id", "names"]  # no voter, no token, no time, no sequence
    assert tables["ballot_tokens"][0] == ["token_hash", "conference_id", "used"]  # no voter, no ballot, no time
    assert sorted(json.loads(r[2]) for r in tables["ballots"][1]) == sorted(sorted(b) for b in cast)
    assert not ballot_ids_before & {r[0] for r in tables["ballots"][1]}  # written with fresh ids at the close
    assert tables["sealed_ballots"][1] == []
    assert sum(1 for r in tables["ballot_tokens"][1] if r[2]) == len(cast)
    hashes = {r[0] for r in tables["ballot_tokens"][1]}
    ballot_ids = {r[0] for r in tables["ballots"][1]} | ballot_ids_before
    voters = [f"voter-{i:03d}" for i in range(6)]
    for name, (_, rows) in tables.items():
        blob = json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)
        assert not any(t in blob for t in tokens), f"a plain token is stored in {name}"
        if name != "ballot_tokens":
            assert not any(h in blob for h in hashes), f"a token hash leaks into {name}"
        if name != "ballots":
            assert not any(b in blob for b in ballot_ids), f"a ballot id leaks into {name}"
        if name != "campaigns":  # the roster itself is campaign settings; nothing else names a voter
            assert not any(v in blob for v in voters), f"a voter id is stored in {name}"
    await ctx.dispose()


ballot_lists = st.integers(min_value=3, max_value=6).flatmap(lambda n: st.tuples(
    st.just(n), st.integers(min_value=1, max_value=3),
    st.lists(st.lists(st.integers(min_value=0, max_value=n - 1), max_size=3, unique=True), max_size=8)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ballot_lists)
def test_the_stored_tally_is_the_domain_tally_of_the_ballots_cast(case: tuple[int, int, list[list[int]]]) -> None:
    nominees, max_names, picks = case

    async def run(tmp: Path) -> None:
        _, ctx = await selection_ctx(tmp)
        campaign_id, ids, conf_id = await _campaign(ctx, nominees=nominees, roster=8, max_names=max_names)
        async with unit_of_work(ctx) as uow:
            tokens = await ballots.issue_tokens(uow, campaign_id=campaign_id, conference_code="HN-DX", actor=BOARD)
        accepted = []
        for token, pick in zip(tokens, picks, strict=False):
            names = [ids[i] for i in pick]
            try:
                async with unit_of_work(ctx) as uow:
                    await ballots.cast_ballot(uow, token=token, nominees=names)
                accepted.append(names)
            except Problem as problem:
                assert problem.status == 422 and len(names) > max_names
        async with unit_of_work(ctx) as uow:
            returned, proposed = await ballots.close_conference(uow, campaign_id=campaign_id, conference_id=conf_id,
                                                                workflow=(None, None))
        expected = tally_ballots(accepted, max_names=max_names, convened=8, present=len(accepted), eligible=ids)
        assert returned == len(accepted) and proposed == list(expected.proposed_ids)
        async with ctx.sessions() as s:
            conf = await s.get(Conference, conf_id)
            assert conf is not None and json.loads(conf.tally or "{}")["proposed"] == proposed
        await ctx.dispose()

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(Path(tmp)))
