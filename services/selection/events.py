"""The events Selection publishes, on topic ``cadre.selection.v1``, and what each says.

Each payload's contract is its JSON Schema, ``shared/events/schemas/<Type>.json``, checked by
``UnitOfWork.emit`` when the event is queued; tests/unit/test_service_layout.py holds this list to the event
types the service's code emits.
"""

from __future__ import annotations

PUBLISHES: dict[str, str] = {
    "CampaignCreated": "the Organization Board opened a source-cadre selection campaign",
    "CandidateScreenedIn": "a nominee met every pre-screening criterion",
    "CandidateScreenedOut": "a nominee failed at least one pre-screening criterion",
    "CandidatesSelected": "the Standing Committee decided a target group's list of source cadres",
    "CommitteeVoteClosed": "the Standing Committee's vote on one group's list was counted",
    "EssayMarked": "an anonymous essay (by its code) has its final mark",
    "ExamResultsPublished": "marking closed; totals, pass and ranking are known",
    "InterviewScored": "an interview (by the candidate's code) has its final score",
    "MarkDiscrepancyResolved": "the head of marking or the council chair decided a paper's mark",
    "NominationConferenceClosed": "a nomination conference's secret ballot was tallied (counts only)",
}
