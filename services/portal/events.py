"""The events the portal publishes, on topic ``cadre.portal.v1``, and what each says.

Each payload's contract is its JSON Schema, ``shared/events/schemas/<Type>.json``, checked by
``UnitOfWork.emit`` when the event is queued; tests/unit/test_service_layout.py holds this list to the event
types the service's code emits.
"""

from __future__ import annotations

PUBLISHES: dict[str, str] = {
    "CadreProcessStopped": "the Organization Board stopped a process whose step kept failing (a process_stalled task)",
    "SubstituteEnded": "an out-of-office period ended early; the open tasks it moved went back to the person",
    "SubstituteRegistered": "an out-of-office period with a delegate who takes the person's tasks",
    "TaskAssigned": "who holds a human task changed (claimed, released, assigned, delegated, substituted, returned)",
    "TaskCompleted": "a human task was decided and closed in the inbox",
    "TaskCreated": "a workflow put a human task in the portal's inbox",
    "TaskEscalated": "an overdue human task passed its grace and went to the group's head",
    "TaskReminded": "a human task passed its due time; its holder or group is reminded",
}
