"""What the runner learned from the APIs while playing: ids by the scenario's names, people pools, refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rich.console import Console
from rich.progress import Progress

from cli.scenario.client import Api, StepFailed
from cli.scenario.people import NameSource, Person


@dataclass
class Official:
    """An imported official: the scenario's key, the registry's id, name and unit."""

    key: str
    id: str
    full_name: str
    unit_code: str


@dataclass
class RunState:
    """Everything a step needs from the steps before it."""

    api: Api
    doc: dict[str, Any]
    today: date
    console: Console
    progress: Progress
    names: NameSource
    people: list[Person] = field(default_factory=list)
    officials: dict[str, Official] = field(default_factory=dict)
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)  # number → plan doc (items with ids)
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → class doc
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)  # number → campaign read
    cursors: dict[tuple[str, ...], int] = field(default_factory=dict)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)  # submitted, with outcome and findings
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def official(self, key: str) -> Official:
        if key not in self.officials:
            raise StepFailed(f"official {key!r} was not imported (or the registry did not return it)")
        return self.officials[key]

    def pool(self, selector: dict[str, Any]) -> tuple[tuple[str, ...], list[Official]]:
        """The people a selector names, in a stable order, with the pool's cursor key."""
        if "officials" in selector:
            keys = tuple(selector["officials"])
            return ("named", *keys), [self.official(k) for k in keys]
        units = tuple(sorted(selector["units"]))
        prefix = selector.get("key_prefix")
        found = [self.officials[p.key] for p in self.people
                 if p.unit_code in units and p.key in self.officials and (not prefix or p.key.startswith(prefix))]
        if not found:
            raise StepFailed(f"no imported officials in units {', '.join(units)}"
                             + (f" with keys starting {prefix!r}" if prefix else ""))
        return ("units", *units, prefix or ""), found

    def take(self, selector: dict[str, Any], count: int) -> list[Official]:
        """The next ``count`` distinct people of the pool (taken in turn, wrapping round), for one class."""
        cursor_key, pool = self.pool(selector)
        if count > len(pool):
            raise StepFailed(f"{count} people wanted but the pool has only {len(pool)}")
        start = self.cursors.get(cursor_key, 0)
        self.cursors[cursor_key] = (start + count) % len(pool)
        return [pool[(start + i) % len(pool)] for i in range(count)]

    def spare(self, selector: dict[str, Any], exclude: set[str]) -> list[Official]:
        """People of the pool not yet used for this class, in turn from the cursor (replacements for refusals)."""
        cursor_key, pool = self.pool(selector)
        start = self.cursors.get(cursor_key, 0)
        ordered = [pool[(start + i) % len(pool)] for i in range(len(pool))]
        return [o for o in ordered if o.id not in exclude]
