"""`cadre audit verify`: recompute every service's chain, name the first bad record, and hold each chain to the
latest checkpoint the other services kept (a missing tail or a rewritten record is reported)."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer
from sqlalchemy.exc import DBAPIError

from shared import audit
from shared.config import SERVICES, Settings
from shared.db import create_engine, session_factory


def _exists(settings: Settings, name: str) -> bool:
    url = settings.db_url(name)
    return not url.startswith("sqlite") or Path(url.split("///", 1)[1]).exists()


async def kept_checkpoints(settings: Settings) -> dict[str, audit.Checkpoint]:
    """The latest checkpoint of each chain, over every service's database (each keeps the others')."""
    latest: dict[str, audit.Checkpoint] = {}
    for keeper in SERVICES:
        if not _exists(settings, keeper):
            continue
        infra = importlib.import_module(f"services.{keeper}.models").INFRA
        engine = create_engine(settings.db_url(keeper))
        try:
            async with session_factory(engine)() as session:
                kept = await audit.latest_checkpoints(session, infra.checkpoints, keeper)
        except DBAPIError as exc:  # not migrated yet, or unreachable: say so, verify the rest
            typer.echo(f"{keeper}: checkpoints not readable ({type(exc.orig).__name__}) / không đọc được mốc kiểm "
                       f"toán", err=True)
            continue
        finally:
            await engine.dispose()
        for chain, cp in kept.items():
            if chain not in latest or cp.seq > latest[chain].seq:
                latest[chain] = cp
    return latest


async def verify_all(settings: Settings, services: list[str]) -> bool:
    """Verify each service's chain and hold it to its latest kept checkpoint; one line per chain; True when all
    hold."""
    checkpoints = await kept_checkpoints(settings)
    all_ok = True
    for name in services:
        infra = importlib.import_module(f"services.{name}.models").INFRA
        engine = create_engine(settings.db_url(name))
        try:
            async with session_factory(engine)() as session:
                results = await audit.verify(session, infra.audit)
                verified = {r.chain for r in results}
                behind = {chain: await audit.against_checkpoint(session, infra.audit, cp)
                          for chain, cp in checkpoints.items() if chain in verified or chain == name}
        finally:
            await engine.dispose()
        if not results and behind.get(name) is None:
            typer.echo(f"{name}: no audit records / chưa có bản ghi")
        elif not results:
            all_ok = False
            typer.echo(f"{name}/{name}: TRUNCATED — {behind[name]} / chuỗi kiểm toán bị cắt ngắn: mất các bản ghi cuối")
        for r in results:
            cp, why = checkpoints.get(r.chain), behind.get(r.chain)
            if not r.ok:
                all_ok = False
                typer.echo(f"{name}/{r.chain}: BROKEN at seq {r.first_bad_seq} (record {r.first_bad_record_id}): "
                           f"{r.problem} / chuỗi kiểm toán bị sửa tại bản ghi số {r.first_bad_seq}")
            elif why is not None and why.startswith("missing tail"):
                all_ok = False
                typer.echo(f"{name}/{r.chain}: TRUNCATED — {why} / chuỗi kiểm toán bị cắt ngắn: mất các bản ghi cuối")
            elif why is not None:
                all_ok = False
                typer.echo(f"{name}/{r.chain}: BROKEN — {why} / chuỗi kiểm toán khác với mốc đã lưu")
            else:
                held = f"; checkpoint seq {cp.seq} kept by {cp.kept_by} holds" if cp else "; no checkpoint kept yet"
                typer.echo(f"{name}/{r.chain}: OK — {r.records} records, head {r.head_hash[:16]}…{held}")
    return all_ok
