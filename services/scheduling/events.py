"""The events Scheduling publishes, on topic ``cadre.scheduling.v1``, and what each says.

Each payload's contract is its JSON Schema, ``shared/events/schemas/<Type>.json``, checked by
``UnitOfWork.emit`` when the event is queued; tests/unit/test_service_layout.py holds this list to the event
types the service's code emits.
"""

from __future__ import annotations

PUBLISHES: dict[str, str] = {
    "AttendanceRecorded": "a session's attendance was recorded",
    "CertificateIssued": "a numbered certificate for a participant who passed",
    "ClassCancelled": "a class was cancelled (or merged into another)",
    "ClassCompleted": "a class ended; each participant's hours and result become part of their training record",
    "ClassEnrolmentClosed": "enrolment closed; enrolled against target",
    "ClassEnrolmentExtended": "the Organization Board extended a class's enrolment deadline",
    "ClassEnrolmentOpened": "a class takes enrolments until its deadline",
    "ClassMerged": "a class below target was merged into another class of the same programme",
    "ClassOpenedBelowTarget": "the Organization Board opened a class below its target",
    "ClassScheduled": "a class was scheduled (status planned)",
    "ClassStarted": "a class began (status running)",
    "EnrolmentRequested": "an approved registration or selected candidate asked for a class; placed or pending",
    "ParticipantEnrolled": "a person holds a seat in a class",
    "ParticipantWaitlisted": "a class was full; the person waits in order of arrival",
    "ParticipantWithdrawn": "a person left a class (or the class was cancelled)",
    "PlanAdopted": "an annual training plan with quotas was adopted",
    "ProgrammeDefined": "a programme (or a new version of it) is in force from a date",
    "ResultsRecorded": "marks were recorded by the class's evaluation framework",
    "UnitRecordedInScheduling": "scheduling now knows a unit and can allocate quotas to it",
    "WaitlistOfferLapsed": "an offered seat was declined or not accepted in time",
    "WaitlistPromoted": "a freed seat was offered to the first person waiting, with an acceptance deadline",
}
