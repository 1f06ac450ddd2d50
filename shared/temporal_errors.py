"""The one mapping from errors to Temporal failures (the retry policy it works with: ``contracts.timing``).

Domain and validation errors (``contracts.errors.DomainError``, a ``shared.errors.Problem`` with a 4xx status, an
event refused for carrying a personal id, no rule in force) become ``ApplicationError(non_retryable=True,
type=<stable ErrorType>, details=[code, english, vietnamese])``: retrying cannot change them, so the workflow sees
the failure at once and takes its failure path. Anything else is an infrastructure error (a database, broker or
service that is down): retried with backoff, ``contracts.timing.ACTIVITY_RETRY.maximum_attempts`` times at most,
then failed too. Every activity is wrapped with ``@maps_domain_errors``; every workflow passes
``contracts.timing.activity_options(...)``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio.exceptions import ApplicationError

from contracts.errors import NON_RETRYABLE_TYPES, DomainError, ErrorType, refusal

P = ParamSpec("P")
R = TypeVar("R")

_TYPE_BY_STATUS = {400: ErrorType.VALIDATION, 403: ErrorType.FORBIDDEN, 404: ErrorType.NOT_FOUND,
                   409: ErrorType.CONFLICT, 422: ErrorType.VALIDATION}


def to_application_error(exc: BaseException) -> ApplicationError | None:
    """The non-retryable failure for a deterministic error; None for an infrastructure error (retried)."""
    from shared.errors import Problem
    from shared.events.envelope import PersonalDataLeak
    from shared.policy import PolicyNotInForceError

    if isinstance(exc, ApplicationError):
        return None
    if isinstance(exc, DomainError):
        return refusal(exc)
    if isinstance(exc, Problem):
        kind = _TYPE_BY_STATUS.get(exc.status)
        if kind is None:
            return None  # a 5xx (a dependency unavailable) is worth retrying
        en, vi = exc.detail_en or exc.title_en, exc.detail_vi or exc.title_vi
        return ApplicationError(f"{exc.code}: {en}", exc.code, en, vi, type=str(kind), non_retryable=True)
    if isinstance(exc, PersonalDataLeak):
        return ApplicationError(str(exc), "personal_data_in_event",
                                "A text looks like a personal identification number (12 digits)",
                                "Nội dung có số giống số định danh cá nhân (12 chữ số)",
                                type=str(ErrorType.PERSONAL_DATA), non_retryable=True)
    if isinstance(exc, PolicyNotInForceError):
        return ApplicationError(str(exc), "no_policy_in_force", f"No version of {exc.rule_key} is in force",
                                f"Không có phiên bản nào của quy định {exc.rule_key} đang áp dụng",
                                type=str(ErrorType.VALIDATION), non_retryable=True)
    return None


def error_details(exc: BaseException) -> tuple[str, str, str] | None:
    """(code, english, vietnamese) of a failure of one of our stable types (an Update refusal, an activity's
    refusal), read from its type and details; None for anything else."""
    if not isinstance(exc, ApplicationError) or exc.type not in NON_RETRYABLE_TYPES:
        return None
    details = [str(d) for d in exc.details]
    if len(details) < 3:
        return None
    return details[0], details[1], details[2]


def maps_domain_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Wrap an activity: a deterministic error leaves it as a non-retryable ApplicationError of a stable type."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            mapped = to_application_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    return run
