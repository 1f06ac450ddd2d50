"""Runs one service's roles (HTTP API, activity worker, outbox relay, consumers) in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.worker import Worker

from shared import seal, temporal
from shared.activity_metrics import ActivityAttempts
from shared.config import Settings
from shared.context import ServiceContext
from shared.events.consumer import Consumer
from shared.events.factory import open_sink
from shared.events.relay import Relay
from shared.events.transport import EventSink
from shared.logging import get_logger
from shared.workflow_metrics import WorkflowMetrics

log = get_logger(__name__)
T = TypeVar("T")
ROLES = ("api", "worker", "relay", "consumers")


class TemporalHandle:
    """A lazily connected Temporal client: the API starts even while Temporal is still coming up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                self._client = await temporal.connect(self.settings)
            return self._client

    async def ready(self) -> bool:
        try:
            return await temporal.healthy(await self.client())
        except Exception:
            return False


@dataclass
class ServiceRuntime:
    """What a running service holds: its database context, its sink and its Temporal handle."""

    settings: Settings
    ctx: ServiceContext | None
    sink: EventSink
    temporal: TemporalHandle
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServiceSpec:
    """How to build a service's parts; each service's main.py declares one."""

    name: str
    task_queue: str
    make_app: Callable[[ServiceRuntime], FastAPI]
    make_activities: Callable[[ServiceRuntime], Sequence[Callable[..., Any]]] = lambda rt: []
    make_workflows: Callable[[], Sequence[type]] = lambda: []
    make_consumers: Callable[[ServiceRuntime], Sequence[Consumer]] = lambda rt: []
    make_context: Callable[[Settings], ServiceContext | None] = lambda s: None


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process's stop event governs every role. Its housekeeping tick
    (the Date header, the exit check) comes once a second rather than uvicorn's ten times, and the stop event ends
    it at once: an idle process wakes up as rarely as it can."""

    def __init__(self, config: uvicorn.Config, stop: asyncio.Event) -> None:
        super().__init__(config)
        self.stop = stop

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        while not await self.on_tick(0):  # counter 0: the Date header is renewed at every tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=1.0)
            if self.stop.is_set():
                self.should_exit = True


async def _serve_api(app: FastAPI, settings: Settings, port: int, stop: asyncio.Event) -> None:
    config = uvicorn.Config(app, host=settings.host, port=port, log_config=None, access_log=False,
                            lifespan="on")
    sockets = [_shared_socket(settings.host, port)] if settings.api_reuse_port else None
    await _QuietServer(config, stop).serve(sockets=sockets)


def _shared_socket(host: str, port: int) -> socket.socket:
    """A listening socket other replicas of the same API may bind too (SO_REUSEPORT): the kernel spreads the
    connections among them, and one replica's death leaves the port served by the others."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


async def _run_worker(spec: ServiceSpec, rt: ServiceRuntime, stop: asyncio.Event) -> None:
    """The activity/workflow worker, until stopped. A worker that fails (Temporal gone for longer than the SDK
    retries its polls, a fatal poll error) is built again after a pause, so the process keeps working once Temporal
    is back instead of serving its API with no worker behind it."""
    activities, workflows = list(spec.make_activities(rt)), list(spec.make_workflows())
    if not activities and not workflows:
        return
    if workflows:
        # the portal keys whose seals the workflows' Update validators accept (shared.seal), set before any runs
        seal.trust(seal.load_trusted(rt.settings))
        log.info("portal_keys_trusted", service=spec.name, key_ids=seal.trusted_key_ids())
    pause = 1.0
    while not stop.is_set():
        try:
            client = await rt.temporal.client()
        except Exception as exc:
            log.warning("temporal_unreachable", service=spec.name, error=repr(exc))
            await _pause(stop, 1.0)
            continue
        worker = Worker(client, task_queue=spec.task_queue, activities=activities, workflows=workflows,
                        graceful_shutdown_timeout=timedelta(seconds=5),
                        interceptors=[WorkflowMetrics(), ActivityAttempts(limit=rt.settings.activity_attempts_alert)],
                        max_cached_workflows=rt.settings.workflow_cache_size, build_id=temporal.build_id(),
                        **temporal.poller_options())
        began = time.monotonic()
        running = asyncio.create_task(worker.run())
        stopped = asyncio.create_task(stop.wait())
        log.info("worker_started", service=spec.name, task_queue=spec.task_queue)
        await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            await worker.shutdown()
            with contextlib.suppress(Exception):
                await running
            return
        stopped.cancel()
        if time.monotonic() - began > 60:
            pause = 1.0  # it had been working: start the backoff afresh
        error = running.exception() if not running.cancelled() else None
        log.warning("worker_failed", service=spec.name, task_queue=spec.task_queue, error=repr(error),
                    retry_in=pause)
        await _pause(stop, pause)
        pause = min(30.0, pause * 2)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def tune_gc() -> None:
    """A service allocates many short-lived objects (Kafka records, rows, events): collect the youngest generation
    every 50,000 allocations rather than 700, and leave what start-up built out of every later collection. Measured
    on the event pipeline: ~20 % less CPU in the relay and the consumers (docs/performance.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run a long-lived service process's event loop: uvloop where it is installed (it halves the CPU each database
    round trip costs the loop, ~75 -> ~40 µs on the development machine), asyncio's own loop otherwise."""
    try:
        import uvloop
    except ImportError:  # e.g. on Windows, where uvloop does not build
        return asyncio.run(main)
    return uvloop.run(main)


async def run_service(spec: ServiceSpec, settings: Settings, *, roles: Sequence[str] = ROLES,
                      port: int | None = None, stop: asyncio.Event | None = None) -> None:
    """Run the chosen roles until SIGINT/SIGTERM (or until the given stop event is set)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
    ctx = spec.make_context(settings)
    rt = ServiceRuntime(settings, ctx, open_sink(settings), TemporalHandle(settings))
    tasks = []
    if "api" in roles:
        tasks.append(_serve_api(spec.make_app(rt), settings, port or settings.ports[spec.name], stop))
    elif port is not None:  # a role process without the API serves /metrics, /healthz and /readyz on --port
        tasks.append(_serve_api(_ops_app(spec, rt, roles), settings, port, stop))
    if "worker" in roles:
        tasks.append(_run_worker(spec, rt, stop))
    if "relay" in roles and ctx is not None:
        relay = Relay(ctx, rt.sink, batch_size=settings.relay_batch_size, idle_seconds=settings.relay_idle_seconds,
                      max_idle_seconds=settings.relay_max_idle_seconds)
        tasks.append(relay.run(stop))
    if "consumers" in roles:
        tasks.extend(c.run(stop) for c in spec.make_consumers(rt))
    log.info("service_starting", service=spec.name, roles=list(roles))
    try:
        results = await asyncio.gather(*(_role(spec.name, t, stop) for t in tasks))
        failed = [r for r in results if r is not None]
        if failed:
            raise RoleFailed(f"{spec.name}: {failed[0]}")
    finally:
        await rt.sink.close()
        if ctx is not None:
            await ctx.dispose()
        log.info("service_stopped", service=spec.name)


class RoleFailed(RuntimeError):
    """A role of the process ended on an error (e.g. the API could not bind its port): the process stops, with a
    non-zero status, so that its supervisor restarts it; it does not linger with the other roles only."""


async def _role(service: str, role: Coroutine[Any, Any, None], stop: asyncio.Event) -> str | None:
    """Run one role; if it fails (uvicorn even calls sys.exit when it cannot bind), stop the others and say why."""
    try:
        await role
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # SystemExit from uvicorn included
        log.error("role_failed", service=service, error=repr(exc))
        stop.set()
        return repr(exc)
    return None


def _ops_app(spec: ServiceSpec, rt: ServiceRuntime, roles: Sequence[str]) -> FastAPI:
    """Health, readiness and metrics only, for a process that runs some roles but not the API."""
    from shared.web import ReadinessCheck, build_app

    checks: dict[str, ReadinessCheck] = {}
    if rt.ctx is not None and {"worker", "relay", "consumers"} & set(roles):
        checks["database"] = rt.ctx.ping
        checks["database_write"] = rt.ctx.writable
    if {"relay", "consumers"} & set(roles):
        checks[events_check_name(rt.settings)] = rt.sink.ping
    if "worker" in roles:
        checks["temporal"] = rt.temporal.ready
    return build_app(service=spec.name, title=f"Cadreflow — {spec.name} ({', '.join(roles)})", settings=rt.settings,
                     routers=[], readiness=checks)


def events_check_name(settings: Settings) -> str:
    """How readiness names the event transport: kafka or event_log."""
    return "kafka" if settings.transport == "kafka" else "event_log"


def database_service(*, name: str, title: str, metadata: Any, infra: Any,
                     routers: Callable[[], Sequence[Any]],
                     activities: Callable[[ServiceRuntime], Sequence[Callable[..., Any]]] = lambda rt: [],
                     consumers: Callable[[ServiceRuntime], Sequence[Consumer]] = lambda rt: [],
                     extra_state: Callable[[ServiceRuntime], dict[str, Any]] = lambda rt: {}) -> ServiceSpec:
    """The spec of a service that owns a database: API + audit routes, readiness on DB, events and Temporal."""
    from shared.audit_api import audit_router
    from shared.context import build_context
    from shared.web import build_app

    def make_context(settings: Settings) -> ServiceContext:
        return build_context(name, settings, metadata, infra)

    def make_app(rt: ServiceRuntime) -> FastAPI:
        assert rt.ctx is not None
        return build_app(service=name, title=title, settings=rt.settings, routers=[*routers(), audit_router()],
                         state={"ctx": rt.ctx, "runtime": rt, **extra_state(rt)},
                         readiness={"database": rt.ctx.ping, "database_write": rt.ctx.writable,
                                    events_check_name(rt.settings): rt.sink.ping,
                                    "temporal": rt.temporal.ready})

    def make_consumers(rt: ServiceRuntime) -> Sequence[Consumer]:
        from shared.audit_keeper import checkpoint_keeper

        return [*consumers(rt), checkpoint_keeper(rt)]  # every service keeps the others' audit checkpoints

    return ServiceSpec(name=name, task_queue=name, make_app=make_app, make_context=make_context,
                       make_activities=activities, make_consumers=make_consumers)
