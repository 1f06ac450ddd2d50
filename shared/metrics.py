"""Prometheus metrics of every Cadreflow process. Labels stay bounded: no person, task or event ids."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter("cadre_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("cadre_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
OUTBOX_PENDING = Gauge("cadre_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("cadre_outbox_oldest_pending_age_seconds", "Age of the oldest unpublished outbox row",
                          ["service"])
EVENTS_PUBLISHED = Counter("cadre_events_published_total", "Events published by the relay", ["service", "topic"])
EVENTS_PUBLISH_FAILED = Counter("cadre_events_publish_failures_total", "Relay batches that failed to publish",
                                ["service"])
EVENTS_CONSUMED = Counter("cadre_events_consumed_total", "Events handled by consumers", ["group", "outcome"])
CONSUMER_LAG = Gauge("cadre_consumer_lag", "Messages not yet committed", ["group", "topic", "partition"])
DLQ_MESSAGES = Counter("cadre_dlq_messages_total", "Messages sent to a dead-letter topic", ["group", "topic"])
CONSUMER_RESETS = Counter("cadre_consumer_resets_total",
                          "Consumer group members replaced (after a failure, or when stalled)", ["group", "reason"])
AUDIT_RECORDS = Counter("cadre_audit_records_total", "Audit records written", ["service", "action"])
WORKFLOW_EVENTS = Counter("cadre_workflow_transitions_total", "Workflow starts/completions/failures",
                          ["workflow", "transition"])
DOMAIN_EVENTS = Counter("cadre_domain_events_total", "Domain events emitted, by type", ["service", "type"])
READY = Gauge("cadre_ready", "1 when the process's dependencies are reachable", ["service", "dependency"])

_SDK_METRICS_URL: list[str] = []


def expose_sdk_metrics(url: str) -> None:
    """Append the Temporal SDK runtime's Prometheus exporter to this process's /metrics."""
    if url not in _SDK_METRICS_URL:
        _SDK_METRICS_URL.append(url)


def render_metrics() -> bytes:
    """This process's metrics, plus the Temporal SDK's when a client runs here."""
    body = generate_latest(REGISTRY)
    for url in _SDK_METRICS_URL:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                body += resp.read()
        except OSError:
            continue
    return body


def template_of(scope: Scope, app: ASGIApp) -> str:
    """The route template the router recorded in the scope it was handed (after the call)."""
    # FastAPI keeps included routers nested, so the top-level route list alone does not find them; the
    # effective context carries any include prefix.
    effective = scope.get("fastapi", {}).get("effective_route_context")
    chosen = getattr(effective, "path_format", None) or getattr(scope.get("route"), "path", None)
    if chosen:
        return str(chosen)
    for route in getattr(getattr(app, "router", None), "routes", ()):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "unmatched"))
    return "unmatched"


class HttpMetrics:
    """RED metrics per route template, as a plain ASGI middleware (no extra task or body copy per request)."""

    def __init__(self, app: ASGIApp, service: str, root: ASGIApp) -> None:
        self.app, self.service, self.root = app, service, root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route, method = template_of(scope, self.root), str(scope["method"])
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)


def install_http_metrics(app: FastAPI, service: str,
                         before_scrape: Callable[[], Awaitable[object]] | None = None) -> None:
    """RED metrics per route template, and /metrics (refreshing scrape-time gauges first)."""
    app.add_middleware(HttpMetrics, service=service, root=app)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        if before_scrape is not None:
            await before_scrape()
        return Response(render_metrics(), media_type=CONTENT_TYPE_LATEST)


# Domain and inbox metrics (names fixed here so dashboards and alert rules can rely on them).
REGISTRATIONS = Counter("cadre_registrations_total", "Training-need registrations by outcome", ["outcome"])
CONFLICTS_FOUND = Gauge("cadre_conflicts_found", "Conflicts found by the last conflict scan", ["kind"])
COMPLIANCE_RATIO = Gauge("cadre_compliance_ratio", "Share of officials trained this year", ["unit"])
ENROLMENTS = Counter("cadre_enrolments_total", "Enrolment changes by outcome", ["outcome"])
PLAN_FULFILMENT = Gauge("cadre_plan_fulfilment_ratio", "Actual over planned, per programme category", ["category"])
CLASS_TRANSITIONS = Counter("cadre_class_transitions_total", "Class lifecycle transitions", ["status"])
CAMPAIGN_STEPS = Counter("cadre_campaign_step_transitions_total", "Selection campaign step transitions", ["step"])
DECISIONS = Counter("cadre_decisions_total", "Decisions recorded, by kind and outcome", ["kind", "outcome"])
TASKS_OPEN = Gauge("cadre_tasks_open", "Open human tasks", ["kind", "group"])
TASKS_OVERDUE = Gauge("cadre_tasks_overdue", "Open human tasks past their due time", ["kind", "group"])
TASK_AGE = Histogram("cadre_task_age_seconds", "Age of open tasks at observation", ["kind"],
                     buckets=(60, 600, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400))
TASK_TIME_TO_CLAIM = Histogram("cadre_task_time_to_claim_seconds", "From creation to claim", ["kind"],
                               buckets=(1, 10, 60, 600, 3600, 86400, 7 * 86400))
TASK_TIME_TO_COMPLETE = Histogram("cadre_task_time_to_complete_seconds", "From creation to completion", ["kind"],
                                  buckets=(1, 10, 60, 600, 3600, 86400, 7 * 86400, 30 * 86400))
TASK_ESCALATIONS = Counter("cadre_task_escalations_total", "Tasks escalated after their grace", ["kind"])
TASK_REMINDERS = Counter("cadre_task_reminders_total", "Reminders sent for overdue tasks", ["kind"])
AUDIT_CHAIN_OK = Gauge("cadre_audit_chain_verified", "1 when the service's audit chain verified at the last check",
                       ["service"])
TASK_OLDEST_OPEN_AGE = Gauge("cadre_task_oldest_open_age_seconds", "Age of the oldest open human task",
                             ["kind", "group"])
TASK_RECONCILIATIONS = Counter("cadre_task_reconciliations_total",
                               "Tasks left completing, settled with their workflow (completed, reopened, left)",
                               ["outcome"])
WORKFLOWS_STALLED = Gauge("cadre_workflows_stalled",
                          "Workflows past a task's deadline (plus the grace) with no task of theirs decided since",
                          ["workflow_type"])
ACTIVITY_ATTEMPTS_OVER_LIMIT = Counter("cadre_activity_attempts_over_limit_total",
                                       "Activity attempts beyond the alert limit (shared.activity_metrics)",
                                       ["activity_type", "task_queue"])
