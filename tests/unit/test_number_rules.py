"""One rule for a mark, applied by the portal (before the Update), the workflow's validator and the activity that
records it: an input the validator accepts is one the activity records (issue #19, item 2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.errors import ErrorType, refusal
from contracts.human_tasks import TaskAction, TaskInputField, decision_input_refusal
from shared.domain_errors import DomainValidationError
from shared.marking import to_mark
from shared.number_rules import MARK_STEP, parse_number
from shared.temporal_errors import error_details
from workflows.human_task import refusal_of
from workflows.selection.essay import _mark_action

REFUSED = ["72.25", 72.25, "NaN", "nan", "Infinity", "-0.1", "100.1", 101, "", "mười", None, True, "1e400"]
ACCEPTED = ["72.5", "0", "100", 100, "  64.0 ", "99.9"]


def test_parse_number_range_step_and_non_numbers() -> None:
    assert parse_number("72.5", minimum=0, maximum=100, step=MARK_STEP) == Decimal("72.5")
    assert parse_number("7", minimum=1, maximum=60, step=1) == Decimal(7)
    assert parse_number("7.5", minimum=1, maximum=60, step=1) is None
    assert parse_number("61", minimum=1, maximum=60) is None
    assert parse_number("1e3") == Decimal(1000)


@pytest.mark.parametrize("value", REFUSED + ACCEPTED)
def test_the_validator_and_the_activity_agree_on_every_mark(value: object) -> None:
    action = _mark_action()
    [field] = action.inputs
    assert (field.minimum, field.maximum, field.step) == (0, 100, MARK_STEP)  # what the inbox's input shows
    validator = decision_input_refusal(action, {"mark": value}, "")
    try:
        to_mark(str(value) if isinstance(value, float) else value)  # type: ignore[arg-type]
        recorded = True
    except (DomainValidationError, TypeError):
        recorded = False
    assert (validator is None) == recorded == (value in ACCEPTED), (value, validator)


def test_a_refusal_is_an_application_error_of_a_stable_type_with_both_languages() -> None:
    action = TaskAction("extend", "Gia hạn", "Extend", "decide",
                        inputs=[TaskInputField("days", "Số ngày gia hạn", "Days", "number", True, 1, 60, step=1)])
    wrong = decision_input_refusal(action, {"days": "2.5"}, "")
    assert wrong is not None and (wrong.code, wrong.field) == ("input_out_of_range", "days")
    failure = refusal_of(wrong)
    assert getattr(failure, "type", None) == ErrorType.DECISION_REFUSED.value
    assert error_details(failure) == ("input_out_of_range", "Days: a number from 1 to 60, in steps of 1",
                                      "Số ngày gia hạn: phải là số từ 1 đến 60, bước 1")
    personal = decision_input_refusal(action, {"days": "3"}, "CCCD 079123456789")
    assert personal is not None and (personal.code, personal.field) == ("personal_id_in_text", "comment")
    assert error_details(refusal(personal)) is not None
