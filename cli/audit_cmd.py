"""`cadre audit verify`: recompute every service's chain and name the first bad record."""

from __future__ import annotations

import importlib

import typer

from shared import audit
from shared.config import Settings
from shared.db import create_engine, session_factory


async def verify_all(settings: Settings, services: list[str]) -> bool:
    """Verify each service's chain; print one line per chain; True when all hold."""
    all_ok = True
    for name in services:
        infra = importlib.import_module(f"services.{name}.models").INFRA
        engine = create_engine(settings.db_url(name))
        try:
            async with session_factory(engine)() as session:
                results = await audit.verify(session, infra.audit)
        finally:
            await engine.dispose()
        if not results:
            typer.echo(f"{name}: no audit records / chưa có bản ghi")
        for r in results:
            if r.ok:
                typer.echo(f"{name}/{r.chain}: OK — {r.records} records, head {r.head_hash[:16]}…")
            else:
                all_ok = False
                typer.echo(f"{name}/{r.chain}: BROKEN at seq {r.first_bad_seq} (record {r.first_bad_record_id}): "
                           f"{r.problem} / chuỗi kiểm toán bị sửa tại bản ghi số {r.first_bad_seq}")
    return all_ok
