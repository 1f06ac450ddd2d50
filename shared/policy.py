"""Effective-dated policy data: rule versions shipped as JSON in `shared/policy_data/`.

Each file holds one rule key, its versions and `applied_by`: the modules that read it (a test
checks both ways that every rule has a reader and that code reads only parameters in the book).
A version applies from `effective_from` to `effective_to` (both inclusive; `effective_to` absent =
still in force). Decisions look up the version in force on the decision date and record its `version_id` for the audit.
The data is read when `load_policy_book()` is called, never at import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from shared.policy_stamp import Citation, RuleApplied

__all__ = ["Citation", "PolicyBook", "PolicyVersion", "RuleApplied", "load_policy_book"]
POLICY_DATA_PACKAGE = "shared"
POLICY_DATA_DIR = "policy_data"


class PolicyError(Exception):
    """Base class for policy look-up and policy data errors."""


class PolicyDataError(PolicyError, ValueError):
    """The shipped policy data is malformed (bad dates, overlaps, missing parameters)."""


class PolicyNotInForceError(PolicyError, LookupError):
    """No version of a rule is in force on the requested date."""

    def __init__(self, rule_key: str, on: date, known: Iterable[str] = ()) -> None:
        self.rule_key = rule_key
        self.on = on
        versions = ", ".join(known) or "none"
        super().__init__(f"no version of policy rule {rule_key!r} is in force on {on.isoformat()} "
                         f"(known versions: {versions})")


def _freeze(value: Any) -> Any:
    """Make parsed JSON immutable: dicts become read-only mappings, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    """Inverse of `_freeze`, for JSON serialisation."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class PolicyVersion:
    """One version of one rule, with its effective period, source and parameters."""

    rule_key: str
    version_id: str
    effective_from: date
    effective_to: date | None
    source: Citation
    parameters: Mapping[str, Any]
    assumptions: str = ""

    def covers(self, on: date) -> bool:
        """Tell whether this version is in force on `on` (bounds inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def param(self, name: str) -> Any:
        """Return one parameter, raising PolicyDataError naming the version if it is missing."""
        if name not in self.parameters:
            raise PolicyDataError(f"policy version {self.version_id!r} has no parameter {name!r}")
        return self.parameters[name]

    def applied_on(self, on: date) -> RuleApplied:
        """The stamp a decision or finding carries: this rule version, applied on `on`."""
        return RuleApplied(rule_key=self.rule_key, version_id=self.version_id, evaluated_on=on, source=self.source)

    def to_dict(self) -> dict[str, Any]:
        """Return the version as JSON-ready data (same shape as the data files)."""
        return {
            "rule_key": self.rule_key,
            "version_id": self.version_id,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": {"vi": self.source.vi, "en": self.source.en},
            "parameters": _thaw(self.parameters),
            "assumptions": self.assumptions,
        }


def _parse_date(raw: Any, what: str) -> date:
    """Parse an ISO date from the data files."""
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise PolicyDataError(f"{what}: not an ISO date: {raw!r}") from exc


def parse_version(rule_key: str, raw: Mapping[str, Any]) -> PolicyVersion:
    """Build a PolicyVersion from one entry of a rule document."""
    try:
        version_id = str(raw["version_id"])
        start = _parse_date(raw["effective_from"], version_id)
        end = _parse_date(raw["effective_to"], version_id) if raw.get("effective_to") else None
        source = Citation(vi=str(raw["source"]["vi"]), en=str(raw["source"]["en"]))
        parameters = raw["parameters"]
    except (KeyError, TypeError) as exc:
        raise PolicyDataError(f"rule {rule_key!r}: malformed version {raw!r}: {exc}") from exc
    if end is not None and end < start:
        raise PolicyDataError(f"{version_id}: effective_to {end} is before effective_from {start}")
    return PolicyVersion(rule_key=rule_key, version_id=version_id, effective_from=start,
                         effective_to=end, source=source, parameters=_freeze(dict(parameters)),
                         assumptions=str(raw.get("assumptions", "")))


class PolicyBook:
    """All rule versions, answering which version of a rule is in force on a date."""

    def __init__(self, versions: Iterable[PolicyVersion],
                 applied_by: Mapping[str, Iterable[str]] | None = None) -> None:
        self._applied_by = {k: tuple(v) for k, v in (applied_by or {}).items()}
        self._by_key: dict[str, list[PolicyVersion]] = {}
        self._by_id: dict[str, PolicyVersion] = {}
        for version in versions:
            if version.version_id in self._by_id:
                raise PolicyDataError(f"duplicate policy version id {version.version_id!r}")
            self._by_id[version.version_id] = version
            self._by_key.setdefault(version.rule_key, []).append(version)
        for key, group in self._by_key.items():
            group.sort(key=lambda v: v.effective_from)
            for earlier, later in pairwise(group):
                if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                    raise PolicyDataError(f"rule {key!r}: {earlier.version_id} overlaps {later.version_id}")

    @classmethod
    def from_documents(cls, documents: Iterable[Mapping[str, Any]]) -> PolicyBook:
        """Build a book from rule documents ({"rule_key": ..., "versions": [...]})."""
        versions: list[PolicyVersion] = []
        applied_by: dict[str, list[str]] = {}
        for doc in documents:
            key = str(doc["rule_key"])
            versions.extend(parse_version(key, raw) for raw in doc["versions"])
            applied_by[key] = [str(m) for m in doc.get("applied_by", ())]
        return cls(versions, applied_by)

    def applied_by(self, rule_key: str) -> tuple[str, ...]:
        """The modules that apply a rule, as its document names them (checked by the policy-book test)."""
        return self._applied_by.get(rule_key, ())

    @property
    def rule_keys(self) -> tuple[str, ...]:
        """All rule keys, sorted."""
        return tuple(sorted(self._by_key))

    def versions_of(self, rule_key: str) -> tuple[PolicyVersion, ...]:
        """All versions of a rule, oldest first (empty if the key is unknown)."""
        return tuple(self._by_key.get(rule_key, ()))

    def version(self, version_id: str) -> PolicyVersion:
        """Return a version by id (to replay an audited decision)."""
        try:
            return self._by_id[version_id]
        except KeyError:
            raise LookupError(f"unknown policy version {version_id!r}") from None

    def in_force(self, rule_key: str, on: date) -> PolicyVersion:
        """Return the version of `rule_key` in force on `on`, or raise PolicyNotInForceError."""
        group = self._by_key.get(rule_key, [])
        for version in group:
            if version.covers(on):
                return version
        raise PolicyNotInForceError(rule_key, on, (v.version_id for v in group))


def load_policy_book() -> PolicyBook:
    """Read every `*.json` rule document shipped in `shared/policy_data/` into a PolicyBook."""
    folder = resources.files(POLICY_DATA_PACKAGE).joinpath(POLICY_DATA_DIR)
    documents = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            try:
                documents.append(json.loads(entry.read_text(encoding="utf-8")))
            except json.JSONDecodeError as exc:
                raise PolicyDataError(f"{entry.name}: invalid JSON: {exc}") from exc
    return PolicyBook.from_documents(documents)
