"""One reading of a stored or written moment: a naive datetime (SQLite drops the zone; a time written without an
offset) is UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The moment as timezone-aware; a naive one is read as UTC (an aware one is returned unchanged)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
