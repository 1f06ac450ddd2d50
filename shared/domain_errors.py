"""Errors raised by the pure domain rules, bilingual and with a stable code (a contracts.errors.DomainError)."""

from __future__ import annotations

from typing import Any

from contracts.errors import DomainError, ErrorType


class DomainValidationError(DomainError, ValueError):
    """A domain rule rejected an input; `code` is stable snake-case, messages are vi + en."""

    error_type = ErrorType.VALIDATION

    def __init__(self, code: str, message_vi: str, message_en: str, field: str | None = None) -> None:
        super().__init__(code, message_en, message_vi, field=field)

    def to_dict(self) -> dict[str, Any]:
        """Return the error as a JSON-ready dict (for API problem details and events)."""
        return {
            "code": self.code,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
