"""What a decision says about the rule it applied: the citation, and the version and date it was evaluated on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Citation:
    """Where a rule version comes from, in Vietnamese and English."""

    vi: str
    en: str


@dataclass(frozen=True)
class RuleApplied:
    """Which rule version a decision applied, and the date it was evaluated on (shown with each finding)."""

    rule_key: str
    version_id: str
    evaluated_on: date
    source: Citation

    def as_dict(self) -> dict[str, str]:
        """JSON-ready fields, merged into a finding or an audit record's inputs."""
        return {"rule": self.rule_key, "rule_version": self.version_id,
                "evaluated_on": self.evaluated_on.isoformat(), "rule_source_vi": self.source.vi,
                "rule_source_en": self.source.en}
