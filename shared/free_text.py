"""Free text a person types (a comment, a reason, a note, an evaluation): refused at the API (422 naming the field)
when it holds what the event contract refuses — a standalone 12-digit number, the shape of a personal
identification number (shared.events.envelope.looks_like_personal_id). Refused where it enters, it can never make
an event fail to serialise later, inside an activity."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from shared.events.envelope import looks_like_personal_id

PERSONAL_ID_CODE = "personal_id_in_text"


def no_personal_id(text: str) -> str:
    """The text unchanged, or a validation error when it holds a 12-digit number."""
    if looks_like_personal_id(text):
        raise PydanticCustomError(PERSONAL_ID_CODE, "Must not contain a personal identification number (12 digits)",
                                  {"message_vi": "Không được chứa số định danh cá nhân (12 chữ số)"})
    return text


FreeText = Annotated[str, AfterValidator(no_personal_id)]
