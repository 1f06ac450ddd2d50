"""Review facts of another shape are left out with a warning that names the kind and counts the errors, and
carries none of the official's values."""

from __future__ import annotations

from structlog.testing import capture_logs

from contracts.tasks import ReviewFacts


def test_facts_of_another_shape_are_logged_without_their_values() -> None:
    with capture_logs() as logs:
        assert ReviewFacts.of({"position": 7, "unknown": "Nguyễn Văn An"}) is None
    assert logs == [{"event": "review_facts_invalid", "log_level": "warning", "kind": "registration_review",
                     "errors": 2}]
