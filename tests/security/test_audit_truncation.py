"""Issue #16, item 8: the audit trail cannot be shortened unnoticed. On the embedded profile (SQLite files, the
embedded event log): SQLite refuses UPDATE and DELETE on audit_log; and when someone who can write the file drops
that guard and deletes the last record(s), `cadre audit verify` reports the missing tail, because registration's
relay published its chain head and the portal kept it in its own database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from services.portal.models import INFRA as PORTAL_INFRA
from services.portal.models import metadata as portal_metadata
from services.registration.models import INFRA, metadata
from shared.audit import Actor, AuditEntry
from shared.audit_keeper import checkpoint_keeper
from shared.config import SERVICES, Settings
from shared.context import ServiceContext, build_context
from shared.events.factory import open_sink
from shared.events.relay import Relay
from shared.migrate import upgrade
from shared.process import ServiceRuntime, TemporalHandle
from shared.uow import unit_of_work
from tests.support.stack import ROOT


def _cadre(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")} | {"CADRE_DATA_DIR": str(tmp)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


async def _registration(tmp: Path, records: int) -> tuple[Settings, ServiceContext]:
    settings = Settings(data_dir=tmp)
    for name in SERVICES:
        await upgrade(name, settings.db_url(name))
    ctx = build_context("registration", settings, metadata, INFRA)
    for n in range(1, records + 1):
        async with unit_of_work(ctx) as uow:
            uow.audit(AuditEntry(actor=Actor("btc.nguyenvanhai", "organization_board"),
                                 action="registration.approve", subject=f"registration:{n}",
                                 reason_vi=f"Duyệt đăng ký số {n}", reason_en=f"Registration {n} approved"))
    return settings, ctx


async def test_sqlite_refuses_update_and_delete_on_the_audit_log(tmp_path: Path) -> None:
    _, ctx = await _registration(tmp_path, 2)
    for statement in ("UPDATE audit_log SET action = 'registration.refuse' WHERE seq = 2",
                      "DELETE FROM audit_log WHERE seq = 2", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with ctx.sessions() as s, s.begin():
                await s.execute(text(statement))
    async with ctx.sessions() as s:
        assert len((await s.execute(select(INFRA.audit.c.seq))).all()) == 2, "nothing changed"
    await ctx.dispose()


async def _checkpoint_kept_by_the_portal(settings: Settings, ctx: ServiceContext) -> None:
    """Registration's relay publishes its head; the portal's keeper consumes and stores it."""
    sink = open_sink(settings)
    relay = Relay(ctx, sink)
    assert await relay.checkpoint()
    while await relay.publish_batch():
        pass
    portal = build_context("portal", settings, portal_metadata, PORTAL_INFRA)
    keeper = checkpoint_keeper(ServiceRuntime(settings, portal, sink, TemporalHandle(settings)))
    stop = asyncio.Event()
    run = asyncio.create_task(keeper.run(stop))
    try:
        for _ in range(200):
            async with portal.sessions() as s:
                if (await s.execute(select(PORTAL_INFRA.checkpoints.c.seq))).first():
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the portal kept no checkpoint")
    finally:
        stop.set()
        await run
        await sink.close()
        await portal.dispose()


@pytest.mark.parametrize("deleted", [1, 2])
async def test_deleting_the_last_records_is_reported_by_audit_verify(tmp_path: Path, deleted: int) -> None:
    settings, ctx = await _registration(tmp_path, 4)
    await _checkpoint_kept_by_the_portal(settings, ctx)
    clean = await asyncio.to_thread(_cadre, tmp_path, "audit", "verify", "registration")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "OK — 4 records" in clean.stdout and "checkpoint seq 4 kept by portal holds" in clean.stdout

    # the attack: whoever can write registration.db drops the guard and deletes the tail (the chain still links)
    async with ctx.sessions() as s, s.begin():
        await s.execute(text("DROP TRIGGER audit_log_no_delete"))
        await s.execute(text("DELETE FROM audit_log WHERE seq > :keep"), {"keep": 4 - deleted})
    await ctx.dispose()

    broken = await asyncio.to_thread(_cadre, tmp_path, "audit", "verify", "registration")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "TRUNCATED" in broken.stdout and "missing tail" in broken.stdout, broken.stdout
    assert "names seq 4" in broken.stdout and f"ends at seq {4 - deleted}" in broken.stdout
    assert "bị cắt ngắn" in broken.stdout


async def test_deleting_every_record_is_reported_too(tmp_path: Path) -> None:
    settings, ctx = await _registration(tmp_path, 2)
    await _checkpoint_kept_by_the_portal(settings, ctx)
    async with ctx.sessions() as s, s.begin():
        await s.execute(text("DROP TRIGGER audit_log_no_delete"))
        await s.execute(text("DELETE FROM audit_log"))
    await ctx.dispose()
    broken = await asyncio.to_thread(_cadre, tmp_path, "audit", "verify", "registration")
    assert broken.returncode == 1 and "TRUNCATED" in broken.stdout, broken.stdout
