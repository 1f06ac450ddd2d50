"""The one error model shared by services, activities, workflows and the portal.

A refusal that retrying cannot change (a rule refused an input, something does not exist, the state forbids the
step) is a ``DomainError``: a stable ``code`` (snake_case, what a client or a test matches on), the English and the
Vietnamese text, optionally the field it names, and an ``ErrorType`` — the stable type name a Temporal
``ApplicationError`` carries (``shared.temporal_errors`` does the mapping), so that a workflow, an Update's caller
or the portal reads ``error.type`` and ``error.details == [code, en, vi]`` and never parses message text.
Everything else (a database or a broker that is down, a timeout) is an infrastructure error: retried with
backoff, for a bounded total.
"""

from __future__ import annotations

from enum import StrEnum

from temporalio.exceptions import ApplicationError


class ErrorType(StrEnum):
    """The stable type names of non-retryable failures (``ApplicationError.type``)."""

    VALIDATION = "CadreValidationError"  # an input a rule refuses (a mark of 72.25, a text with a personal id)
    NOT_FOUND = "CadreNotFound"  # the subject does not exist (an unknown registration, class or official)
    CONFLICT = "CadreConflict"  # the state forbids the step (a closed conference, a forbidden transition)
    FORBIDDEN = "CadreForbidden"  # the actor may not do this
    PERSONAL_DATA = "CadrePersonalData"  # an event would carry something that looks like a personal id
    DECISION_REFUSED = "CadreDecisionRefused"  # a workflow's Update validator refused a person's decision
    PROCESS_STOPPED = "CadreProcessStopped"  # the Organization Board stopped a process whose step kept failing


NON_RETRYABLE_TYPES: tuple[str, ...] = tuple(t.value for t in ErrorType)


class DomainError(Exception):
    """A refusal retrying cannot change: stable code, English and Vietnamese text, the field it names."""

    error_type: ErrorType = ErrorType.VALIDATION

    def __init__(self, code: str, message_en: str, message_vi: str, *, field: str | None = None,
                 error_type: ErrorType | None = None) -> None:
        super().__init__(code, message_en, message_vi, field)
        self.code = code
        self.message_en = message_en
        self.message_vi = message_vi
        self.field = field
        if error_type is not None:
            self.error_type = error_type

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message_en}"

    @property
    def details(self) -> list[str]:
        """What an ApplicationError carries as its details: [code, english, vietnamese]."""
        return [self.code, self.message_en, self.message_vi]


class NotFound(DomainError):
    """The subject of the step does not exist."""

    error_type = ErrorType.NOT_FOUND


class Conflict(DomainError):
    """The subject's state forbids the step."""

    error_type = ErrorType.CONFLICT


class DecisionRefused(DomainError):
    """An Update validator refused a person's decision (the portal answers 409 or 422 with the texts)."""

    error_type = ErrorType.DECISION_REFUSED


def refusal(error: DomainError) -> ApplicationError:
    """A domain error as the non-retryable ApplicationError of its stable type."""
    return ApplicationError(str(error), *error.details, type=str(error.error_type), non_retryable=True)
