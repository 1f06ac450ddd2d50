"""Parameters whose only implemented value is the shipped one are read and a different value is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.selection.domain.committee import approval_fraction
from services.selection.domain.tally import NominationRule
from shared.marking import MarkingBands
from shared.policy import PolicyBook, PolicyDataError, PolicyVersion, load_policy_book

BOOK = load_policy_book()
ON = date(2024, 1, 1)


def changed(key: str, **params: Any) -> PolicyVersion:
    raw = BOOK.in_force(key, ON).to_dict()
    raw["parameters"].update(params)
    return PolicyBook.from_documents([{"rule_key": key, "versions": [raw]}]).in_force(key, ON)


def test_the_shipped_shapes_are_accepted() -> None:
    assert str(approval_fraction(BOOK.in_force("committee_approval", ON))) == "1/2"
    assert NominationRule.from_policy(BOOK.in_force("nomination_threshold", ON)).base == "convened"
    assert MarkingBands.from_policy(BOOK.in_force("exam_marking", ON)).min_markers == 2


@pytest.mark.parametrize(("key", "params", "read"), [
    ("committee_approval", {"strictly_more": False}, approval_fraction),
    ("committee_approval", {"base": "present"}, approval_fraction),
    ("nomination_threshold", {"strictly_more": False}, NominationRule.from_policy),
    ("exam_marking", {"decimal_places": 2}, MarkingBands.from_policy),
])
def test_a_shape_that_is_not_implemented_is_refused(key: str, params: dict[str, Any], read: Any) -> None:
    with pytest.raises(PolicyDataError, match="implemented"):
        read(changed(key, **params))
