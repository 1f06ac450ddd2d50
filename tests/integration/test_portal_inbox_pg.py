"""The inbox rules and the database-written summaries on PostgreSQL (the unit tests run them on SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import Settings
from tests.support import infra
from tests.unit.portal.support import Portal, make_portal
from tests.unit.portal.test_one_place import candidate_index_follows_changes, listing_matches_authorize_task
from tests.unit.portal.test_statement_cache import statements_are_cached

pytestmark = pytest.mark.integration


async def _portal(tmp_path: Path) -> Portal:
    return await make_portal(tmp_path, settings=Settings(data_dir=tmp_path,
                                                         database_url=infra.new_database_template()))


async def test_listing_matches_authorize_task_on_postgresql(tmp_path: Path) -> None:
    portal = await _portal(tmp_path)
    try:
        await listing_matches_authorize_task(portal)
    finally:
        await portal.ctx.dispose()


async def test_the_candidate_index_follows_changes_on_postgresql(tmp_path: Path) -> None:
    portal = await _portal(tmp_path)
    try:
        await candidate_index_follows_changes(portal)
    finally:
        await portal.ctx.dispose()


async def test_inbox_statements_are_compiled_once_on_postgresql(tmp_path: Path) -> None:
    portal = await _portal(tmp_path)
    try:
        await statements_are_cached(portal)
    finally:
        await portal.ctx.dispose()
