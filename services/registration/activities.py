"""Registration's activities, hosted on the `registration` task queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts import registration as contract
from contracts.activity import implements
from contracts.registration import ApplyReviewDecisionInput, ApplyReviewDecisionResult
from services.registration.service.registrations import apply_review_decision
from shared.context import ServiceContext
from shared.metrics import REGISTRATIONS
from shared.temporal_errors import maps_domain_errors
from shared.uow import unit_of_work


class RegistrationActivities:
    """Activities with their dependencies injected."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def all(self) -> list[Callable[..., Any]]:
        """Every activity, for the worker."""
        return [self.apply_review_decision]

    @implements(contract.apply_review_decision)
    @maps_domain_errors
    async def apply_review_decision(self, inp: ApplyReviewDecisionInput) -> ApplyReviewDecisionResult:
        """Apply the board's decision: status, audit record and (approved) RegistrationApproved, in one commit."""
        async with unit_of_work(self.ctx) as uow:
            result = await apply_review_decision(uow, inp)
        if result.changed:
            REGISTRATIONS.labels(result.status).inc()
        return result
