"""The event contract: the envelope, the schemas, and what producers may put in an event."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from shared.events import contract
from shared.events.envelope import CloudEvent, PersonalDataLeak, dlq_of, new_event_id, topic_of

ROOT = Path(__file__).resolve().parents[2]


def test_round_trip_keeps_every_field() -> None:
    e = CloudEvent(type="UnitCreated", source="/cadreflow/registration", subject="u1", workflowid="wf-1",
                   data={"unit_id": "u1", "code": "DONGXOAI", "name": "Thành phố Đồng Xoài", "kind": "district",
                         "parent_code": None})
    back = CloudEvent.from_json(e.to_json())
    assert back == e
    assert json.loads(e.to_json())["specversion"] == "1.0"
    contract.check(e)


def test_contract_names_the_broken_field() -> None:
    e = CloudEvent(type="UnitCreated", source="/cadreflow/registration", subject="u1",
                   data={"unit_id": "u1", "code": "lowercase", "name": "X", "kind": "district", "extra": 1})
    errors = contract.validation_errors(e)
    assert any(err.startswith("data.code") for err in errors)
    assert any("extra" in err for err in errors)
    with pytest.raises(ValueError):
        contract.check(e)


def test_unknown_type_is_refused() -> None:
    e = CloudEvent(type="SomethingHappened", source="/cadreflow/registration", subject="x", data={})
    with pytest.raises(contract.UnknownEventType):
        contract.check(e)


def test_personal_identification_numbers_never_leave_in_an_event() -> None:
    e = CloudEvent(type="TestPinged", source="/cadreflow/registration", subject="k",
                   data={"key": "cccd 079123456789", "n": 1})
    with pytest.raises(PersonalDataLeak):
        e.to_json()


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"specversion":"0.3"}',
                                 b'{"specversion":"1.0","id":"1","source":"s","type":"T","subject":"x","time":"t"}'])
def test_malformed_messages_are_rejected(raw: bytes) -> None:
    with pytest.raises((ValueError, KeyError)):
        CloudEvent.from_json(raw)


def test_every_emitted_type_has_a_schema() -> None:
    emitted: set[str] = set()
    for path in [*ROOT.glob("services/**/*.py"), *ROOT.glob("shared/**/*.py"), *ROOT.glob("workflows/**/*.py")]:
        emitted |= set(re.findall(r"\.emit\(\s*\"([A-Z][A-Za-z]+)\"", path.read_text(encoding="utf-8")))
    assert emitted, "no producers found"
    assert emitted <= set(contract.known_types()), emitted - set(contract.known_types())


def test_topic_names_are_versioned() -> None:
    assert topic_of("registration") == "cadre.registration.v1"
    assert dlq_of(topic_of("selection")) == "cadre.selection.v1.dlq"


def test_a_new_event_is_checked_whole_even_after_its_form_was_seen() -> None:
    """check_new validates an envelope form once; what varies from event to event is still refused."""
    def pinged(**kw: object) -> CloudEvent:
        fields: dict[str, object] = {"type": "TestPinged", "source": "/cadreflow/registration", "subject": "k",
                                     "data": {"key": "k", "n": 1}, **kw}
        return CloudEvent(**fields)  # type: ignore[arg-type]

    contract.check_new(pinged())
    contract.check_new(pinged())  # the form is known now
    with pytest.raises(ValueError, match=r"data\.n"):
        contract.check_new(pinged(data={"key": "k", "n": -1}))
    with pytest.raises(ValueError, match="envelope"):
        contract.check_new(pinged(subject=""))
    with pytest.raises(ValueError, match="envelope"):
        contract.check_new(pinged(workflowid=7))
    with pytest.raises(ValueError, match="envelope"):
        contract.check_new(pinged(source="/elsewhere/Registration"))
    with pytest.raises(ValueError, match="envelope"):
        contract.check_new(pinged(traceparent="not-a-trace-parent"))
    contract.check_new(pinged(traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01"))


def test_event_ids_are_random_version_4_uuids() -> None:
    ids = [new_event_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # canonical lower-case 8-4-4-4-12 form
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
