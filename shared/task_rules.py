"""Pure facts about kinds of human task, shared by the portal's rules (shared.authz) and the workflows' validators.

Kept free of I/O and of heavy imports: workflow code passes it through the sandbox.
"""

from __future__ import annotations

# Decisions that are a person's own and are never taken for them: a committee member's vote, the chair's decision
# for the committee, an examiner's mark, an interview score. They cannot be delegated, assigned on or substituted;
# only the person the task was filed for decides. (A voter's ballot is cast with a personal ballot token in the
# selection service and never passes through the inbox.)
PERSONAL_TASK_KINDS: frozenset[str] = frozenset({"committee_vote", "committee_decision", "essay_mark",
                                                 "interview_score"})


def subject_user(subject: str, dossier: dict[str, object]) -> str | None:
    """The person a task is about, when it is about a person (``user:<id>`` or ``dossier.subject_user_id``)."""
    if subject.startswith("user:"):
        return subject.removeprefix("user:")
    value = dossier.get("subject_user_id")
    return str(value) if value else None
