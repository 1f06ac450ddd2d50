"""The payload converter of every Temporal client of the project: the SDK's default, except that a dataclass's field
types are resolved once per class instead of on every payload.

The SDK's JSON converter calls ``typing.get_type_hints`` for every dataclass it rebuilds, on every activity input,
result, signal and Update, and for each nested dataclass again; under a campaign's marking that was about a tenth
of a worker's CPU. The rebuilt values are the same: the same fields, the same conversion of each (the SDK's
``value_to_type``), the same error when one does not fit.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    value_to_type,
)


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, bool, Any], ...]:
    """(name, init, type) of each field of a dataclass, its annotations resolved."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, f.init, hints[f.name]) for f in dataclasses.fields(cls))


class CachedDataclassFields(JSONTypeConverter):
    """Rebuilds dataclasses as the SDK does, with each class's field types read once."""

    def to_typed_value(self, hint: type, value: Any) -> Any:
        if not (isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict)):
            return JSONTypeConverter.Unhandled
        init: dict[str, Any] = {}
        later: dict[str, Any] = {}
        for name, in_init, field_type in _fields(hint):
            if name not in value:
                continue  # a missing required field fails the constructor below, as in the SDK
            try:
                converted = value_to_type(field_type, value[name], [self])
            except Exception as err:
                raise TypeError(f"Failed converting field {name} on dataclass {hint}") from err
            (init if in_init else later)[name] = converted
        obj = hint(**init)
        for name, converted in later.items():
            object.__setattr__(obj, name, converted)
        return obj


class PayloadConverter(CompositePayloadConverter):
    """The SDK's default encodings, its JSON one with :class:`CachedDataclassFields`."""

    def __init__(self) -> None:
        super().__init__(*(
            JSONPlainPayloadConverter(custom_type_converters=[CachedDataclassFields()])
            if isinstance(c, JSONPlainPayloadConverter) else c
            for c in DefaultPayloadConverter.default_encoding_payload_converters))


def data_converter() -> DataConverter:
    """The data converter every client connects with (workers take their client's)."""
    return dataclasses.replace(DataConverter.default, payload_converter_class=PayloadConverter)
