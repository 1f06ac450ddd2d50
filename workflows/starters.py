"""Starters: consumers that turn events into workflow starts (idempotent by workflow id).

Every workflow starts from an event its service committed with the state change (transactional outbox), never from
an HTTP route after the commit: a crash or a Temporal outage between the two can no longer leave a class or a
campaign without its process. Each id is derived from the event, so a redelivered event starts nothing new; while
Temporal cannot be reached the starter raises `Unavailable`, and the consumer reads the event again later instead
of dead-lettering it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from contracts import queues
from contracts.registration import ManagingAuthority, RegistrationReviewInput, review_workflow_id
from contracts.scheduling import ClassLifecycleInput, RecordUnitInput, class_lifecycle_id
from contracts.selection import CampaignInput, campaign_workflow_id
from contracts.timing import TASK_DUE_SECONDS, TASK_GRACE_SECONDS
from shared.config import Settings
from shared.events.consumer import Consumer, Handler, Poison, Unavailable
from shared.events.envelope import CloudEvent, topic_of
from shared.events.factory import open_source
from shared.events.transport import EventSink
from shared.logging import get_logger
from shared.metrics import WORKFLOW_EVENTS
from shared.process import ServiceRuntime
from workflows.registration_review import RegistrationReview
from workflows.unit_sync import UnitSync

log = get_logger(__name__)
ClientGetter = Callable[[], Awaitable[Client]]
TRANSIENT = frozenset({RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED,
                       RPCStatusCode.CANCELLED, RPCStatusCode.ABORTED})
CLASS_STARTER_GROUP = "workflows.starters.scheduling"
CAMPAIGN_STARTER_GROUP = "workflows.starters.selection"


async def start_once(client_of: ClientGetter, workflow: Any, arg: Any, *, workflow_id: str, label: str,
                     task_queue: str = queues.WORKFLOWS) -> bool:
    """Start a workflow unless one with this id exists or existed (REJECT_DUPLICATE); True when this call started
    it. Raises Unavailable when Temporal cannot be reached, so the event is read again rather than lost."""
    try:
        client = await client_of()
    except Exception as exc:
        raise Unavailable(f"temporal unreachable: {exc!r}") from exc
    try:
        await client.start_workflow(workflow, arg, id=workflow_id, task_queue=task_queue,
                                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        log.info("workflow_already_started", workflow_id=workflow_id)
        return False
    except RPCError as exc:
        if exc.status in TRANSIENT:
            raise Unavailable(f"temporal: {exc.status.name}: {exc.message}") from exc
        raise
    WORKFLOW_EVENTS.labels(label, "started").inc()
    log.info("workflow_started", workflow=label, workflow_id=workflow_id)
    return True


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
        await start_once(client_of, UnitSync.run, inp, workflow_id=unit_sync_id(event.id), label="UnitSync")

    return handle


def class_starter(client_of: ClientGetter) -> Handler:
    """Start ClassLifecycle for each ClassScheduled (id ``class-lifecycle-<class_id>``: one per class)."""

    async def handle(event: CloudEvent) -> None:
        if event.type != "ClassScheduled":
            return
        try:
            class_id, code = str(event.data["class_id"]), str(event.data.get("class_code") or "")
        except KeyError as exc:
            raise Poison(f"ClassScheduled without {exc}") from exc
        await start_once(client_of, "ClassLifecycle", ClassLifecycleInput(class_id, code),
                         workflow_id=class_lifecycle_id(class_id), label="ClassLifecycle")

    return handle


def campaign_starter(client_of: ClientGetter) -> Handler:
    """Start SelectionCampaign for each CampaignCreated (id from the campaign number: one per campaign)."""

    async def handle(event: CloudEvent) -> None:
        if event.type != "CampaignCreated":
            return
        try:
            campaign_id, number = str(event.data["campaign_id"]), str(event.data["number"])
        except KeyError as exc:
            raise Poison(f"CampaignCreated without {exc}") from exc
        await start_once(client_of, "SelectionCampaign", CampaignInput(campaign_id),
                         workflow_id=campaign_workflow_id(number), label="SelectionCampaign")

    return handle


def starter_consumer(settings: Settings, sink: EventSink, *, group: str, service: str, event_type: str,
                     handler: Handler) -> Consumer:
    """A starter's consumer group on one service's topic, for one event type."""
    return Consumer(group=group, handler=handler, dlq_sink=sink, max_retries=settings.consumer_max_retries,
                    event_types=frozenset({event_type}),
                    source_factory=lambda: open_source(settings, group=group, topics=[topic_of(service)]))


def authority_of(raw: dict[str, Any] | None) -> ManagingAuthority | None:
    """The managing body a RegistrationFlagged carries (None on an event from before it carried one)."""
    if not raw:
        return None
    return ManagingAuthority(body=str(raw["body"]), body_vi=str(raw["body_vi"]), body_en=str(raw["body_en"]),
                             approver_roles=[str(r) for r in raw["approver_roles"]], rule_id=str(raw["rule_id"]),
                             rule_vi=str(raw["rule_vi"]), rule_en=str(raw["rule_en"]),
                             version_id=str(raw["version_id"]))


def registration_review_starter(client_of: Callable[[], Awaitable[Client]], *,
                                task_queue: str = queues.WORKFLOWS, due_in_seconds: int = TASK_DUE_SECONDS,
                                escalate_after_seconds: int = TASK_GRACE_SECONDS) -> Handler:
    """Start RegistrationReview for each RegistrationFlagged (idempotent by workflow id)."""

    async def handle(event: CloudEvent) -> None:
        if event.type != "RegistrationFlagged":
            return
        d = event.data
        try:
            inp = RegistrationReviewInput(
                registration_id=d["registration_id"], unit_code=d["unit_code"],
                official_name=str(d.get("official_name") or d["official_id"]), programme_code=d["programme_code"],
                plan_year=int(d["plan_year"]), class_id=d.get("class_id"), findings=list(d["findings"]),
                policy_version=str(d.get("policy_version") or ""), due_in_seconds=due_in_seconds,
                escalate_after_seconds=escalate_after_seconds, submitted_by=str(d.get("submitted_by") or ""),
                authority=authority_of(d.get("authority")), facts=dict(d.get("dossier") or {}),
                official_id=str(d.get("official_id") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise Poison(f"RegistrationFlagged without {exc}") from exc
        await start_once(client_of, RegistrationReview.run, inp, workflow_id=review_workflow_id(inp.registration_id),
                         label="RegistrationReview", task_queue=task_queue)

    return handle


REVIEW_STARTER_GROUP = "workflows.starters.registration-review"


def review_starter_consumer(rt: ServiceRuntime) -> Consumer:
    """The starter consumer the workflows process runs: RegistrationFlagged → RegistrationReview."""
    settings = rt.settings
    starter = registration_review_starter(rt.temporal.client, due_in_seconds=settings.review_due_seconds,
                                          escalate_after_seconds=settings.review_grace_seconds)
    return Consumer(group=REVIEW_STARTER_GROUP, handler=starter,
                    dlq_sink=rt.sink, max_retries=settings.consumer_max_retries,
                    event_types=frozenset({"RegistrationFlagged"}),
                    source_factory=lambda: open_source(settings, group=REVIEW_STARTER_GROUP,
                                                       topics=[topic_of("registration")]))
