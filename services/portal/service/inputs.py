"""A decision's comment and inputs checked before the Update, by the same rule the workflow's validator applies
(workflows.human_task.decision_input_refusal): a mark off its range or step, a missing input, a personal id in a
free text — 422 naming the field, and nothing is sent."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from contracts.human_tasks import TaskAction, TaskInputField, decision_input_refusal
from services.portal.models import Task
from services.portal.schemas import TaskComplete
from services.portal.service.records import actions_of
from shared.errors import invalid

_ACTION_FIELDS = {f.name for f in fields(TaskAction)}
_INPUT_FIELDS = {f.name for f in fields(TaskInputField)}


def _action(doc: dict[str, Any]) -> TaskAction:
    known = {k: v for k, v in doc.items() if k in _ACTION_FIELDS and k != "inputs"}
    inputs = [TaskInputField(**{k: v for k, v in i.items() if k in _INPUT_FIELDS}) for i in doc.get("inputs") or []]
    return TaskAction(**known, inputs=inputs)


def check_decision(task: Task, body: TaskComplete) -> None:
    """Raise a 422 Problem naming the field when the decision's comment or inputs break the task's rule."""
    for doc in actions_of(task):
        if doc.get("name") == body.action:
            wrong = decision_input_refusal(_action(doc), body.inputs, body.comment)
            if wrong is not None:
                where = "comment" if wrong.field in (None, "comment") else f"inputs.{wrong.field}"
                raise invalid(where, wrong.code, wrong.message_en, wrong.message_vi)
            return
