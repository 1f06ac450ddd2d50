"""Starters: consumers that turn events into workflow starts (idempotent by workflow id)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from shared.events.consumer import Handler, Poison
from shared.events.envelope import CloudEvent
from shared.logging import get_logger
from shared.metrics import WORKFLOW_EVENTS
from workflows.contracts import WORKFLOWS_QUEUE, RecordUnitInput
from workflows.unit_sync import UnitSync

log = get_logger(__name__)
ClientGetter = Callable[[], Awaitable[Client]]


def unit_sync_id(event_id: str) -> str:
    """The workflow id derived from the event, so a redelivered event starts nothing new."""
    return f"unit-sync-{event_id}"


def registration_starter(client_of: ClientGetter) -> Handler:
    """Start UnitSync for each UnitCreated on cadre.registration.v1."""

    async def handle(event: CloudEvent) -> None:
        if event.type != "UnitCreated":
            return
        try:
            inp = RecordUnitInput(unit_id=event.data["unit_id"], code=event.data["code"], name=event.data["name"],
                                  kind=event.data["kind"], source_event_id=event.id)
        except KeyError as exc:
            raise Poison(f"UnitCreated without {exc}") from exc
        client = await client_of()
        try:
            await client.start_workflow(UnitSync.run, inp, id=unit_sync_id(event.id), task_queue=WORKFLOWS_QUEUE,
                                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
            WORKFLOW_EVENTS.labels("UnitSync", "started").inc()
        except WorkflowAlreadyStartedError:
            log.info("workflow_already_started", workflow_id=unit_sync_id(event.id))

    return handle

