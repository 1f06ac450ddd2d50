"""CloudEvents 1.0 JSON envelope, with traceparent and workflowid extensions."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TWELVE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))  # digits -> "0", the rest -> " "


def looks_like_personal_id(text: str) -> bool:
    """Whether a text holds a standalone 12-digit number (hashes and UUIDs excepted)."""
    if text.isascii() and b"0" * 12 not in text.encode("ascii").translate(_DIGITS_AS_ZERO):
        return False  # the common case, in C: no run of twelve digits at all (~0.4 µs against ~4 µs)
    return bool(_TWELVE_DIGITS.search(_UUID.sub(" ", text)))  # a UUID is no id, and it separates what surrounds it


def topic_of(service: str) -> str:
    """The versioned topic a service publishes to."""
    return f"cadre.{service}.v1"


def dlq_of(topic: str) -> str:
    """A topic's dead-letter topic."""
    return f"{topic}.dlq"


class PersonalDataLeak(ValueError):
    """An event carried something that looks like a personal identification number."""


@dataclass(frozen=True)
class CloudEvent:
    """One thing that happened, as published on a topic."""

    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    workflowid: str | None = None
    traceparent: str | None = None
    specversion: str = "1.0"
    datacontenttype: str = "application/json"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object published."""
        doc: dict[str, Any] = {
            "specversion": self.specversion, "id": self.id, "source": self.source, "type": self.type,
            "subject": self.subject, "time": self.time, "datacontenttype": self.datacontenttype,
            "data": self.data,
        }
        if self.workflowid:
            doc["workflowid"] = self.workflowid
        if self.traceparent:
            doc["traceparent"] = self.traceparent
        return doc

    def to_json(self) -> str:
        """Serialise, refusing anything that looks like a personal identification number."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if looks_like_personal_id(text):
            raise PersonalDataLeak(f"event {self.type} carries a 12-digit number; mask personal ids")
        return text

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        """Parse a published event; raises ValueError/KeyError on a malformed one."""
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("specversion") != "1.0":
            raise ValueError("not a CloudEvents 1.0 JSON document")
        data = doc.get("data")
        if not isinstance(data, dict):
            raise ValueError("event data must be a JSON object")
        return cls(type=str(doc["type"]), source=str(doc["source"]), subject=str(doc["subject"]), data=data,
                   id=str(doc["id"]), time=str(doc["time"]), workflowid=doc.get("workflowid"),
                   traceparent=doc.get("traceparent"))
