"""Item 6 on PostgreSQL: what the row versions, the heap files and the WAL show of a vote.

On a real server (CADRE_TEST_PG_DSN, a superuser: the test reads the tables' heap files, dead tuples included,
with ``pg_read_binary_file`` after a CHECKPOINT, and the WAL segments the vote was written to). What it shows:
a cast's transaction id is on the token's new row version and on its sealed ballot — that link exists, and
carries only ciphertext; no plaintext ballot reaches the WAL or any heap before the close; every plaintext
ballot is one transaction's (the close's), in a shuffled physical order, with no token's transaction id."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.selection.models import INFRA, metadata
from services.selection.schemas import CampaignCreate, NominationIn
from services.selection.service import ballots, campaigns
from services.selection.service.ballots import token_hash
from shared.audit import Actor
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.migrate import upgrade
from shared.uow import unit_of_work
from tests.security.test_ballot_secrecy import distinct_ballots, stored_text
from tests.support import infra
from tests.unit.selection.support import campaign_payload

pytestmark = pytest.mark.integration
BOARD = Actor("btc.nguyenvanhai", "organization_board")


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[ServiceContext]:
    settings = Settings(data_dir=tmp_path, database_url=infra.new_database_template(),
                        jwt_secret=SecretStr("kiem-thu-bi-mat-phieu-" + uuid.uuid4().hex))
    url = settings.db_url("selection")
    await upgrade("selection", url)
    ctx = build_context("selection", settings, metadata, INFRA, url=url)
    yield ctx
    await ctx.dispose()


async def heap(conn: AsyncConnection, table: str) -> bytes:
    """A table's heap file as it is on disk, dead tuples included (after a CHECKPOINT wrote its pages)."""
    path = (await conn.execute(text("SELECT pg_relation_filepath(CAST(:t AS regclass))"), {"t": table})).scalar_one()
    data: bytes = (await conn.execute(text("SELECT pg_read_binary_file(:p)"), {"p": path})).scalar_one()
    return data


async def wal_since(conn: AsyncConnection, first: str) -> bytes:
    """The WAL segments from ``first`` to the current one."""
    last = (await conn.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())"))).scalar_one()
    names = (await conn.execute(text("SELECT name FROM pg_ls_waldir() WHERE name >= :a AND name <= :b "
                                     "ORDER BY name"), {"a": first, "b": last})).scalars().all()
    assert names and len(names) < 8, names
    parts = [(await conn.execute(text("SELECT pg_read_binary_file(:p)"), {"p": f"pg_wal/{n}"})).scalar_one()
             for n in names]
    return b"".join(parts)


async def test_postgres_row_versions_heap_and_wal_link_no_token_to_a_ballot(pg: ServiceContext) -> None:
    async with pg.engine.connect() as conn:
        superuser = (await conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))).scalar()
    if not superuser:
        pytest.fail("CADRE_TEST_PG_DSN must name a superuser: this test reads heap files and the WAL")
    now = datetime.now(UTC)
    body = campaign_payload(f"{uuid.uuid4().hex[:6].upper()}-KH/TU", now, conferences=[
        {"code": "HN-DX", "unit_code": "DONGXOAI", "roster": [f"cử tri {i}" for i in range(8)], "max_names": 2,
         "close_at": (now + timedelta(hours=1)).isoformat()}])
    async with unit_of_work(pg) as uow:
        campaign = await campaigns.create_campaign(uow, data=CampaignCreate.model_validate(body), actor=BOARD)
    ids = []
    for i, name in enumerate(("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")):
        async with unit_of_work(pg) as uow:
            cand = await campaigns.propose_nominee(uow, campaign_id=campaign.id, actor=BOARD, data=NominationIn(
                official_id=f"off-{i}", full_name=name, unit_code="DONGXOAI", group_code="G1",
                evaluation="Hoàn thành tốt nhiệm vụ"))
        ids.append(cand.id)
    async with unit_of_work(pg) as uow:
        tokens = await ballots.issue_tokens(uow, campaign_id=campaign.id, conference_code="HN-DX", actor=BOARD)
    votes = distinct_ballots(ids)
    plain = [stored_text(v) for v in votes]
    async with pg.engine.connect() as conn:
        conf_id = (await conn.execute(text("SELECT id FROM conferences"))).scalar_one()
        first_wal = (await conn.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())"))).scalar_one()
    for token, names in zip(tokens, votes, strict=True):
        async with unit_of_work(pg) as uow:
            await ballots.cast_ballot(uow, token=token, nominees=names)

    async with pg.engine.connect() as conn:
        await conn.execute(text("CHECKPOINT"))
        spent = set((await conn.execute(text("SELECT xmin::text FROM ballot_tokens WHERE used"))).scalars())
        sealed_x = set((await conn.execute(text("SELECT xmin::text FROM sealed_ballots"))).scalars())
        assert (await conn.execute(text("SELECT count(*) FROM ballots"))).scalar_one() == 0
        # the link PostgreSQL keeps: each cast's transaction id is on its token's new version and on its sealed
        # ballot — which is ciphertext; the names are nowhere in either table, live or dead
        assert len(spent) == len(votes) and sealed_x == spent
        files = await heap(conn, "sealed_ballots") + await heap(conn, "ballot_tokens")
        assert not any(c.encode() in files for c in ids), "a candidate id in a token's or a sealed ballot's rows"
        assert token_hash(tokens[0]).encode() in files  # the heap was read (the hashes are there, by design)
        wal = await wal_since(conn, first_wal)
        assert token_hash(tokens[0]).encode() in wal  # the WAL of the vote was read
        assert not any(p in wal for p in plain), "a plaintext ballot in the WAL of the vote"
        assert not any(t.encode() in wal + files for t in tokens), "a plain token reached the server"

    async with unit_of_work(pg) as uow:
        returned, _ = await ballots.close_conference(uow, campaign_id=campaign.id, conference_id=conf_id,
                                                     workflow=("wf", "run"))
    assert returned == len(votes)
    async with pg.engine.connect() as conn:
        await conn.execute(text("CHECKPOINT"))
        written = (await conn.execute(text("SELECT xmin::text, names FROM ballots ORDER BY ctid"))).all()
        assert (await conn.execute(text("SELECT count(*) FROM sealed_ballots"))).scalar_one() == 0
        sealed_heap = await heap(conn, "sealed_ballots")  # dead tuples until VACUUM: still only ciphertext
        assert not any(c.encode() in sealed_heap for c in ids)
    assert len({x for x, _ in written}) == 1, "every ballot is the close's transaction"
    assert not {x for x, _ in written} & spent, "a ballot shares a transaction id with a token"
    order = [plain.index(n.encode()) for _, n in written]
    cast_order = list(range(len(votes)))
    assert sorted(order) == cast_order
    # the physical order is shuffled (fails by chance with probability 1/8!)
    assert order != cast_order, "the ballots lie in the order they were cast"
