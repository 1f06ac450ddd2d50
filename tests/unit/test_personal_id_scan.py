"""The scan that keeps personal identification numbers out of events: the fast path never changes the answer."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from shared.events.envelope import looks_like_personal_id

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TWELVE = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")


def reference(text: str) -> bool:
    """Twelve digits standing alone, once UUIDs (whose last group may be twelve digits) are taken out."""
    return bool(_TWELVE.search(_UUID.sub(" ", text)))


pieces = st.sampled_from(["001099012345", "0010990123456", "12345678901", '"', ":", ",", "a", "Nguyễn", " ",
                          "0", "9", "x1", "123456789012b", "１２３４５６７８９０１２", "-", "8a4b7f52-1c8e-4e7a-9d5f-"
                          "123456789012", "2026-11-29T08:30:00.123456+00:00"])


@given(st.lists(pieces, max_size=12).map("".join))
def test_fast_path_agrees_with_the_reference_scan(text: str) -> None:
    assert looks_like_personal_id(text) == reference(text)


def test_examples() -> None:
    assert looks_like_personal_id('{"cccd":"001099012345"}')
    assert looks_like_personal_id('{"so":"１２３４５６７８９０１２"}')  # full-width digits are digits too
    assert not looks_like_personal_id('{"id":"8a4b7f52-1c8e-4e7a-9d5f-123456789012"}')  # a UUID's last group
    assert not looks_like_personal_id('{"n":12345678901,"t":"2026-11-29T08:30:00.123456+00:00"}')
    assert looks_like_personal_id("8a4b7f52-1c8e-4e7a-9d5f-123456789012001099012345")  # an id right after a UUID
    assert not looks_like_personal_id("00109" + "8a4b7f52-1c8e-4e7a-9d5f-123456789012" + "9012345")
