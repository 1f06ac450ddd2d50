"""Errors raised by the pure domain rules, bilingual and with a stable code."""

from __future__ import annotations

from typing import Any


class DomainValidationError(ValueError):
    """A domain rule rejected an input; `code` is stable snake-case, messages are vi + en."""

    def __init__(self, code: str, message_vi: str, message_en: str, field: str | None = None) -> None:
        super().__init__(code, message_vi, message_en, field)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message_en}"

    def to_dict(self) -> dict[str, Any]:
        """Return the error as a JSON-ready dict (for API problem details and events)."""
        return {
            "code": self.code,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
