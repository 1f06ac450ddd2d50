"""Fakes for selection's unit and workflow tests."""

from __future__ import annotations

from typing import Any

from services.selection.adapters.directory import OfficialNotFound


class FakeOfficialDirectory:
    """An in-memory directory for unit and workflow tests."""

    def __init__(self, records: dict[str, dict[str, Any]] | None = None) -> None:
        self.records = dict(records or {})
        self.reads: list[str] = []

    async def fetch(self, official_id: str) -> dict[str, Any]:
        """The stored record, or OfficialNotFound."""
        self.reads.append(official_id)
        if official_id not in self.records:
            raise OfficialNotFound(official_id)
        return self.records[official_id]
