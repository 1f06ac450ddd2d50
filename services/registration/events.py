"""The events Registration publishes, on topic ``cadre.registration.v1``, and what each says.

Each payload's contract is its JSON Schema, ``shared/events/schemas/<Type>.json``, checked by
``UnitOfWork.emit`` when the event is queued; tests/unit/test_service_layout.py holds this list to the event
types the service's code emits.
"""

from __future__ import annotations

PUBLISHES: dict[str, str] = {
    "RegistrationApproved": ("a training-need registration was accepted or approved; scheduling turns it into an "
                             "enrolment request"),
    "RegistrationFlagged": ("a training-need registration needs the review of the body that manages the official; "
                            "starts RegistrationReview"),
    "UnitCreated": "a unit (agency, district, commune) was registered",
    "UnitsReorganised": "units were merged, split, renamed or closed from an effective date; their officials moved",
}
