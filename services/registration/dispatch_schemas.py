"""Postgraduate dispatches: request and response bodies."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class DispatchCreate(BaseModel):
    """The Organization Board dispatches an official to a postgraduate programme."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    programme_code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    dispatched_on: date = Field(description="the dispatch decision's date: the rule in force then applies")
    training_months: int = Field(ge=1, le=120)
    cost: int = Field(ge=0, le=10**12, description="training cost paid by the state, in đồng")
    returned_on: date | None = Field(default=None, description="when the official is back at work (if known)")


class DispatchLeave(BaseModel):
    """The official leaves service before the commitment is served."""

    model_config = ConfigDict(extra="forbid")

    left_on: date
    returned_on: date | None = Field(default=None, description="back at work after training (default: as recorded, "
                                     "else the dispatch date plus the training months)")


class DispatchRead(BaseModel):
    """A dispatch with its commitment, the rule it was decided by and any refund, with a line in words."""

    id: str
    official_id: str
    programme_code: str
    dispatched_on: date
    training_months: int
    cost: int
    commitment_months: int
    policy_version: str
    returned_on: date | None
    left_on: date | None
    served_months: int | None
    refund: int | None
    line_vi: str
    line_en: str
