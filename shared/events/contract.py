"""Event contract: every event type has a JSON Schema in the repository; producers are checked against it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

from shared.events.envelope import CloudEvent


class UnknownEventType(ValueError):
    """An event type without a schema in the repository."""


@cache
def _validators() -> dict[str, Draft202012Validator]:
    out: dict[str, Draft202012Validator] = {}
    for entry in resources.files("shared.events").joinpath("schemas").iterdir():
        if entry.name.endswith(".json"):
            schema = json.loads(entry.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            out[entry.name.removesuffix(".json")] = Draft202012Validator(schema)
    return out


@cache
def _compiled() -> dict[str, Any]:
    """Schemas compiled to Python (fast path); jsonschema explains a failure in detail."""
    out: dict[str, Any] = {}
    for entry in resources.files("shared.events").joinpath("schemas").iterdir():
        if entry.name.endswith(".json"):
            schema = json.loads(entry.read_text(encoding="utf-8"))
            out[entry.name.removesuffix(".json")] = fastjsonschema.compile(schema)
    return out


def _valid_fast(doc: dict[str, Any]) -> bool:
    compiled = _compiled()
    validate = compiled.get(str(doc.get("type", "")))
    if validate is None:
        return False
    try:
        compiled["_envelope"](doc)
        validate(doc.get("data"))
        return True
    except fastjsonschema.JsonSchemaException:
        return False


def known_types() -> list[str]:
    """Every event type with a schema (the envelope's own schema excluded)."""
    return sorted(t for t in _validators() if t != "_envelope")


def validation_errors(event: CloudEvent | dict[str, Any]) -> list[str]:
    """What is wrong with an event against the envelope schema and its type's data schema."""
    doc = event.to_dict() if isinstance(event, CloudEvent) else event
    validators = _validators()
    errors = [f"envelope: {e.message}" for e in validators["_envelope"].iter_errors(doc)]
    etype = str(doc.get("type", ""))
    if etype not in validators:
        raise UnknownEventType(f"no JSON Schema for event type {etype!r}")
    for e in validators[etype].iter_errors(doc.get("data")):
        errors.append(f"data.{'.'.join(map(str, e.path))}: {e.message}")
    return errors


def check(event: CloudEvent) -> None:
    """Raise ValueError unless the event matches its contract."""
    if _valid_fast(event.to_dict()):
        return
    _explain(event)


def _explain(event: CloudEvent) -> None:
    errors = validation_errors(event)
    if errors:
        raise ValueError(f"event {event.type} breaks its contract: {'; '.join(errors)}")


_CHECKED_FORMS: set[tuple[Any, ...]] = set()


def check_new(event: CloudEvent) -> None:
    """check() for an event the unit of work has just built, whose id and time CloudEvent minted (a UUID and an
    ISO 8601 time: valid by construction). What else its envelope holds takes few forms (source, type, and the
    kinds of subject, data and workflow id); each form is checked against the envelope schema once per process,
    the data against its type's schema every time. An event with a trace parent is checked whole."""
    form = (event.source, event.type, event.specversion, event.datacontenttype, type(event.subject),
            bool(event.subject), type(event.data), type(event.workflowid))
    if event.traceparent is not None or form not in _CHECKED_FORMS:
        check(event)
        if event.traceparent is None:
            _CHECKED_FORMS.add(form)
        return
    try:
        _compiled()[event.type](event.data)
    except fastjsonschema.JsonSchemaException:
        _explain(event)
