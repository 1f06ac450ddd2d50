"""The typed references workflows call (``contracts`` stubs) and the activities the services register cannot drift:
every stub is implemented by exactly one activity a service's composition root registers, under the same name, with
the same parameter and return types; every registered activity has its stub; and no workflow names an activity,
an Update, a signal or a query by a string literal outside ``contracts``."""

from __future__ import annotations

import ast
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from temporalio import activity

from contracts.activity import name_of, options_of, stubs
from shared.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registration", "scheduling", "selection", "portal")


def _registered() -> dict[str, list[tuple[str, Callable[..., Any]]]]:
    """Every activity the four services' composition roots hand their worker, by activity name."""
    import importlib

    found: dict[str, list[tuple[str, Callable[..., Any]]]] = {}
    rt = SimpleNamespace(ctx=object(), settings=Settings(_env_file=None))
    for service in SERVICES:
        main = importlib.import_module(f"services.{service}.main")
        for fn in main.activities(rt):
            found.setdefault(name_of(fn), []).append((service, fn))
    return found


def _types(fn: Callable[..., Any]) -> tuple[list[Any], Any]:
    target = inspect.unwrap(fn.__func__ if inspect.ismethod(fn) else fn)
    hints = typing.get_type_hints(target)
    params = [hints.get(p) for p in inspect.signature(target).parameters if p != "self"]
    return params, hints.get("return")


def test_every_stub_is_implemented_once_with_its_types() -> None:
    declared, registered = stubs(), _registered()
    assert declared, "no stub declared"
    problems = []
    for name, ref in sorted(declared.items()):
        impls = registered.get(name, [])
        if len(impls) != 1:
            problems.append(f"{name}: implemented by {[s for s, _ in impls]}")
            continue
        service, impl = impls[0]
        if _types(impl) != _types(ref):
            problems.append(f"{name} ({service}): {_types(impl)} != stub {_types(ref)}")
        if options_of(ref)["task_queue"] != service:
            problems.append(f"{name}: called on queue {options_of(ref)['task_queue']}, hosted by {service}")
    problems += [f"{name}: registered without a stub" for name in sorted(set(registered) - set(declared))]
    assert problems == []


def test_a_stub_refuses_to_run() -> None:
    ref = stubs()["scheduling.open_enrolment"]
    assert activity._Definition.must_from_callable(ref).name == "scheduling.open_enrolment"
    with pytest.raises(NotImplementedError):
        ref(None).send(None)


_BY_NAME = {"execute_activity", "start_activity", "execute_update", "start_update", "execute_update_with_start",
            "signal", "query", "execute_child_workflow", "start_child_workflow"}
_DECLARING = {"update", "signal", "query"}  # @workflow.update(name=...), @workflow.signal(name=...), ...


def test_no_activity_update_signal_or_query_is_named_by_a_literal_outside_contracts() -> None:
    literals = []
    for top in ("services", "workflows", "shared", "cli"):
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                attr = node.func.attr
                if attr in _BY_NAME and node.args and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str):
                    literals.append(f"{rel}:{node.lineno} {attr}({node.args[0].value!r})")
                if attr in _DECLARING | {"defn"} and any(
                        k.arg == "name" and isinstance(k.value, ast.Constant) for k in node.keywords) \
                        and isinstance(node.func.value, ast.Name) and node.func.value.id in ("workflow", "activity") \
                        and not (attr == "defn" and node.func.value.id == "workflow"):
                    literals.append(f"{rel}:{node.lineno} @{node.func.value.id}.{attr}(name=...)")
    assert literals == []
