"""The audit hash chain: appends link, verification finds the first altered record."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from sqlalchemy import text

from shared import audit
from shared.audit import Actor, AuditEntry
from shared.uow import unit_of_work
from tests.support.sqlite_ctx import sqlite_context

ACTOR = Actor(user_id="btc.nguyenvanhai", role="organization_board")


def entry(n: int) -> AuditEntry:
    return AuditEntry(actor=ACTOR, action="registration.approve", subject=f"registration:{n}",
                      reason_vi=f"Duyệt đăng ký số {n}", reason_en=f"Registration {n} approved",
                      inputs={"n": n, "ghi_chú": "Nguyễn Văn An"}, policy_version="annual_training/2021")


async def test_chain_links_and_verifies(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    for n in range(1, 6):
        async with unit_of_work(ctx) as uow:
            rec = uow.audit(entry(n))
        assert rec.record.seq == n
    async with ctx.sessions() as s:
        [result] = await audit.verify(s, ctx.tables.audit)
        rows = (await s.execute(text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq"))).all()
    assert result.ok and result.records == 5
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert result.head_hash == rows[-1].hash
    await ctx.dispose()


async def test_altered_record_is_named(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    for n in range(1, 6):
        async with unit_of_work(ctx) as uow:
            uow.audit(entry(n))
    async with ctx.sessions() as s, s.begin():  # whoever can write the file can drop the append-only guard
        await s.execute(text("DROP TRIGGER audit_log_no_update"))
        await s.execute(text("UPDATE audit_log SET body = replace(body, 'Duyệt', 'Từ chối') WHERE seq = 3"))
    async with ctx.sessions() as s:
        [result] = await audit.verify(s, ctx.tables.audit)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.problem == "hash does not match the record's content"
    await ctx.dispose()


async def test_deleted_record_breaks_the_chain(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    for n in range(1, 4):
        async with unit_of_work(ctx) as uow:
            uow.audit(entry(n))
    async with ctx.sessions() as s, s.begin():  # whoever can write the file can drop the append-only guard
        await s.execute(text("DROP TRIGGER audit_log_no_delete"))
        await s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    async with ctx.sessions() as s:
        [result] = await audit.verify(s, ctx.tables.audit)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    await ctx.dispose()


async def test_secret_inputs_keep_only_their_digest(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    secret = AuditEntry(actor=ACTOR, action="dossier.read", subject="official:1", reason_vi="Xem hồ sơ",
                        reason_en="Dossier read", inputs={"personal_id": "079123456789"}, secret_inputs=True)
    async with unit_of_work(ctx) as uow:
        rec = uow.audit(secret)
    assert rec.record.body["inputs"] is None
    assert rec.record.body["inputs_digest"] == audit.digest({"personal_id": "079123456789"})
    await ctx.dispose()


async def test_rolled_back_transaction_leaves_no_record_and_no_event(tmp_path: Path) -> None:
    ctx = await sqlite_context(tmp_path)
    try:
        async with unit_of_work(ctx) as uow:
            uow.audit(entry(1))
            raise RuntimeError("the decision failed half-way")
    except RuntimeError:
        pass
    async with ctx.sessions() as s:
        counts = (await s.execute(text("SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM outbox)"))).one()
    assert tuple(counts) == (0, 0)
    await ctx.dispose()


async def test_several_records_of_one_unit_of_work_chain_as_one_each(tmp_path: Path) -> None:
    """A unit of work reads the head once and writes its records together: the chain is the same as one record a
    transaction, and each AuditRecorded event carries the hashes that were stored."""
    ctx = await sqlite_context(tmp_path)
    async with unit_of_work(ctx) as uow:
        first = [uow.audit(entry(n)) for n in range(1, 4)]
    async with unit_of_work(ctx) as uow:
        later = uow.audit(entry(4))
    assert [r.record.seq for r in first] + [later.record.seq] == [1, 2, 3, 4]
    assert later.record.prev_hash == first[-1].record.hash
    async with ctx.sessions() as s:
        [result] = await audit.verify(s, ctx.tables.audit)
        rows = (await s.execute(text("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq"))).all()
        events = [json.loads(p)["data"] for (p,) in (await s.execute(text(
            "SELECT payload FROM outbox WHERE event_type = 'AuditRecorded' ORDER BY seq"))).all()]
    assert result.ok and result.records == 4
    assert [(r.seq, r.prev_hash, r.hash) for r in rows] == [(e["seq"], e["prev_hash"], e["hash"]) for e in events]
    await ctx.dispose()
