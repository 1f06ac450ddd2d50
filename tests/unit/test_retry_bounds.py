"""No retry policy in the code is unbounded for a deterministic error (issue #19).

Every activity call goes through ``workflows.calls.call``, which passes the options its stub declares
(``contracts.activity.options_of``, built by ``contracts.timing.activity_options``), whose policy
has a maximum number of attempts and lists every stable error type as non-retryable; no other RetryPolicy is
built anywhere; every activity maps its domain errors (``@maps_domain_errors``)."""

from __future__ import annotations

import ast
from pathlib import Path

from contracts.activity import options_of, stubs
from contracts.errors import NON_RETRYABLE_TYPES, ErrorType
from contracts.timing import ACTIVITY_RETRY, activity_options

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for d in ("shared", "services", "workflows", "cli", "contracts") for p in (ROOT / d).rglob("*.py")
        if "migrations" not in p.parts]
ACTIVITY_CALLS = {"execute_activity", "start_activity", "execute_local_activity", "start_local_activity",
                  "execute_activity_method", "start_activity_method", "execute_activity_class"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def test_the_one_policy_is_bounded_and_never_retries_a_stable_error_type() -> None:
    assert ACTIVITY_RETRY.maximum_attempts and 0 < ACTIVITY_RETRY.maximum_attempts <= 50
    assert set(ACTIVITY_RETRY.non_retryable_error_types or []) == {t.value for t in ErrorType}
    assert activity_options("x")["retry_policy"] is ACTIVITY_RETRY
    assert len(NON_RETRYABLE_TYPES) == len(set(NON_RETRYABLE_TYPES))


def _delegates(call: ast.Call) -> bool:
    """`super().execute_activity(input)` in a worker interceptor passes an activity on; it schedules nothing."""
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    return isinstance(owner, ast.Call) and _name(owner.func) == "super"


def test_no_other_retry_policy_is_built_and_every_activity_call_takes_the_bounded_options() -> None:
    built, unbounded_calls, options = [], [], []
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "RetryPolicy" and rel != "contracts/timing.py":
                built.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.Call) and _name(node.func) in ACTIVITY_CALLS and not _delegates(node):
                via_helper = any(k.arg is None and isinstance(k.value, ast.Call)
                                 and _name(k.value.func) in ("activity_options", "options_of") for k in node.keywords)
                if not via_helper:
                    unbounded_calls.append(f"{rel}:{node.lineno}")
                else:
                    options.append(rel)
    assert built == [], f"RetryPolicy built outside contracts/timing.py: {built}"
    assert unbounded_calls == [], f"activity calls without activity_options(...): {unbounded_calls}"
    assert options == ["workflows/calls.py"], options  # the one place a workflow schedules an activity
    assert all(options_of(ref)["retry_policy"] is ACTIVITY_RETRY for ref in stubs().values())


def test_every_activity_maps_its_domain_errors() -> None:
    missing = []
    for path in (ROOT / "services").rglob("activities*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef):
                names = [_name(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list]
                if "defn" in names and "maps_domain_errors" not in names:
                    missing.append(f"{path.name}:{node.name}")
    assert missing == []
