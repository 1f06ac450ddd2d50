"""Prometheus metrics of every Cadreflow process. Labels stay bounded: no person, task or event ids."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from starlette.routing import Match

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


def route_template(request: Request) -> str:
    """The matched route's path template (bounded), never the raw path."""
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "unmatched"))
    return "unmatched"


def install_http_metrics(app: FastAPI, service: str) -> None:
    """RED metrics per route template, and /metrics."""

    @app.middleware("http")
    async def _measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = route_template(request)
            HTTP_REQUESTS.labels(service, request.method, route, str(status)).inc()
            HTTP_LATENCY.labels(service, request.method, route).observe(time.perf_counter() - started)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(render_metrics(), media_type=CONTENT_TYPE_LATEST)
