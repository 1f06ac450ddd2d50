"""Shared request helpers of registration's routes."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from services.registration.adapters.catalogue import SchedulingCatalogue
from shared.auth import Principal
from shared.authz import forbidden


def catalogue_of(request: Request) -> SchedulingCatalogue:
    """The scheduling catalogue port (HTTP adapter in production, a fake in unit tests)."""
    catalogue: SchedulingCatalogue = request.app.state.catalogue
    return catalogue


def today() -> date:
    """Today's date (the decision date)."""
    return date.today()


def scope_units(principal: Principal, unit: str | None) -> list[str] | None:
    """Units a list may show: the asked unit (403 if outside scope), or the caller's units (None = all)."""
    if unit is not None:
        if not principal.covers_unit(unit):
            raise forbidden(f"Unit {unit} is outside your scope", f"Đơn vị {unit} nằm ngoài phạm vi của bạn")
        return [unit]
    return None if principal.province_wide else sorted(principal.units)
