"""The project's payload converter rebuilds what the SDK's default does, reading each class's field types once."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from temporalio.converter import DataConverter

from contracts.selection import ComponentResult, MarkRecord
from shared import temporal_payloads
from shared.temporal_payloads import PayloadConverter


@dataclass(frozen=True)
class _Inner:
    at: datetime
    note: str | None = None


@dataclass
class _Outer:
    name: str
    inner: list[_Inner]
    by_key: dict[str, _Inner] = field(default_factory=dict)
    derived: int = field(default=0, init=False)


def _result() -> ComponentResult:
    mark = MarkRecord("c-1", "AB23CD", "essay", "gk.1", "examiner", "72.5", comment="Bài viết tốt")
    return ComponentResult("c-1", "AB23CD", "essay", "72.5", ["72.5", "70"], "2.5", "mean", records=[mark])


@pytest.mark.parametrize("value, hint", [
    (_result(), ComponentResult),
    (_Outer("Nguyễn Văn An", [_Inner(datetime(2026, 12, 4, 8, tzinfo=UTC))],
            {"k": _Inner(datetime(2026, 1, 1, tzinfo=UTC), "ghi chú")}), _Outer),
])
def test_values_come_back_as_the_sdk_default_rebuilds_them(value: object, hint: type) -> None:
    if isinstance(value, _Outer):
        value.derived = 7  # a field outside __init__ travels too
    ours, sdk = PayloadConverter(), DataConverter.default.payload_converter
    [payload] = ours.to_payloads([value])
    assert payload == sdk.to_payloads([value])[0], "the same bytes on the wire"
    [back] = ours.from_payloads([payload], [hint])
    [expected] = sdk.from_payloads([payload], [hint])
    assert back == expected == value
    assert type(back) is hint
    if isinstance(back, _Outer):
        assert back.derived == 7 and isinstance(back.inner[0].at, datetime)


def test_a_value_that_does_not_fit_is_refused_as_by_the_sdk() -> None:
    ours, sdk = PayloadConverter(), DataConverter.default.payload_converter
    wrong = {"campaign_id": "c-1", "code": "X", "component": "essay", "score": "1", "marks": 5, "spread": "0",
             "decided_by": "mean"}
    for body in (wrong, {"campaign_id": "c-1"}):  # a field of the wrong type; required fields missing
        [payload] = ours.to_payloads([body])
        with pytest.raises(Exception) as sdk_error:
            sdk.from_payloads([payload], [ComponentResult])
        with pytest.raises(type(sdk_error.value)) as our_error:
            ours.from_payloads([payload], [ComponentResult])
        assert str(our_error.value) == str(sdk_error.value)


def test_field_types_are_read_once_per_class(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[type] = []
    real = typing.get_type_hints

    def counting(obj: typing.Any, *args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        calls.append(obj)
        return real(obj, *args, **kwargs)

    temporal_payloads._fields.cache_clear()
    monkeypatch.setattr(temporal_payloads.typing, "get_type_hints", counting)
    ours = PayloadConverter()
    payloads = ours.to_payloads([_result()] * 20)
    ours.from_payloads(payloads, [ComponentResult] * 20)
    assert sorted(c.__name__ for c in calls) == ["ComponentResult", "MarkRecord"]
