"""The workflows process's composition root: the worker on the `workflows` queue and the starters."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from contracts import queues
from shared.events.consumer import Consumer
from shared.events.envelope import topic_of
from shared.events.factory import open_source
from shared.process import ServiceRuntime, ServiceSpec, events_check_name
from shared.web import build_app
from workflows.class_lifecycle import ClassLifecycle
from workflows.registration_review import RegistrationReview
from workflows.selection import workflow_types as selection_workflows
from workflows.starters import (
    CAMPAIGN_STARTER_GROUP,
    CLASS_STARTER_GROUP,
    campaign_starter,
    class_starter,
    registration_starter,
    review_starter_consumer,
    starter_consumer,
)
from workflows.unit_sync import UnitSync

NAME = "workflows"


def workflow_types() -> Sequence[type]:
    """Every workflow this worker hosts."""
    return [UnitSync, RegistrationReview, ClassLifecycle, *selection_workflows()]


def consumers(rt: ServiceRuntime) -> Sequence[Consumer]:
    """Event → workflow starters."""
    settings = rt.settings
    group = "workflows.starters.registration"
    return [review_starter_consumer(rt),
            Consumer(group=group, handler=registration_starter(rt.temporal.client), dlq_sink=rt.sink,
                     max_retries=settings.consumer_max_retries,
                     source_factory=lambda: open_source(settings, group=group, topics=[topic_of("registration")])),
            starter_consumer(settings, rt.sink, group=CLASS_STARTER_GROUP, service="scheduling",
                             event_type="ClassScheduled", handler=class_starter(rt.temporal.client)),
            starter_consumer(settings, rt.sink, group=CAMPAIGN_STARTER_GROUP, service="selection",
                             event_type="CampaignCreated", handler=campaign_starter(rt.temporal.client))]


def create_app(rt: ServiceRuntime) -> FastAPI:
    """Health, readiness and metrics of the workflows process."""
    return build_app(service=NAME, title="Cadreflow — workflows worker", settings=rt.settings, routers=[],
                     readiness={events_check_name(rt.settings): rt.sink.ping, "temporal": rt.temporal.ready})


def spec() -> ServiceSpec:
    """How to run the workflows process."""
    return ServiceSpec(name=NAME, task_queue=queues.WORKFLOWS, make_app=create_app, make_workflows=workflow_types,
                       make_consumers=consumers)
