"""Typed references to activities: a stub per activity, declared in the contract module of the service that hosts
it, which workflows call and the service implements under the same name.

    @stub("scheduling.open_enrolment", queues.SCHEDULING)
    async def open_enrolment(ref: ClassRef) -> ClassTimeline:
        raise NotImplementedError  # scheduling implements it (``@implements(open_enrolment)``)

A workflow calls ``workflows.calls.call(open_enrolment, ref)`` (the stub gives Temporal the name and the result
type, ``options_of`` the queue, timeout and retry policy); the service's method is decorated with
``@implements(open_enrolment)``, so the two names cannot drift, and tests/unit/test_activity_stubs.py checks that
every stub is implemented by exactly one registered activity with the same parameter and return types.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity

from contracts.timing import activity_options

F = TypeVar("F", bound=Callable[..., Any])

CONTRACT_MODULES = ("contracts.human_tasks", "contracts.registration", "contracts.scheduling", "contracts.selection")
_OPTIONS: dict[str, dict[str, Any]] = {}
_STUBS: dict[str, Callable[..., Any]] = {}


def stub(name: str, queue: str, *, seconds: int | None = None) -> Callable[[F], F]:
    """Declare an activity's typed reference: its name, the queue its service hosts it on, its timeout."""

    def declare(fn: F) -> F:
        if name in _STUBS:
            raise ValueError(f"activity {name} declared twice")
        _OPTIONS[name] = activity_options(queue, seconds=seconds)
        _STUBS[name] = fn
        return activity.defn(name=name)(fn)

    return declare


def name_of(ref: Callable[..., Any]) -> str:
    """The activity name a stub (or an implementation) carries."""
    name = activity._Definition.must_from_callable(ref).name
    if not name:
        raise ValueError(f"{ref} has no activity name")
    return name


def options_of(ref: Callable[..., Any]) -> dict[str, Any]:
    """How a workflow calls the activity: its queue, timeout per attempt and the bounded retry policy."""
    return _OPTIONS[name_of(ref)]


def implements(ref: Callable[..., Any]) -> Callable[[F], F]:
    """Register a service's implementation under its stub's name."""
    return activity.defn(name=name_of(ref))


def stubs() -> dict[str, Callable[..., Any]]:
    """Every declared stub by name (the contract modules that declare them are imported first)."""
    for module in CONTRACT_MODULES:
        importlib.import_module(module)
    return dict(_STUBS)
