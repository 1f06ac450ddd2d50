"""Inputs and outputs exchanged between workflows and the services' activities (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass

WORKFLOWS_QUEUE = "workflows"


@dataclass(frozen=True)
class RecordUnitInput:
    """Ask scheduling to know a unit registered in registration."""

    unit_id: str
    code: str
    name: str
    kind: str
    source_event_id: str


@dataclass(frozen=True)
class RecordUnitResult:
    """What scheduling did: created the unit, or already had it."""

    code: str
    created: bool
