"""Training-need registrations by unit officers, and decisions through the portal's task inbox."""

from __future__ import annotations

import time
from typing import Any

from cli.scenario.client import StepFailed
from cli.scenario.state import RunState

PAGE = 200
BULK = 100


async def register(st: RunState, step: dict[str, Any]) -> None:
    """Submit each registration as the unit officer; the outcome (accepted, flagged, refused) and the findings that
    led to it are kept for the outcome."""
    for r in step["registrations"]:
        official = st.official(r["official"])
        body: dict[str, Any] = {"official_id": official.id, "programme_code": r["programme"],
                                "plan_year": r["plan_year"], "note": r.get("reason", "")}
        if "class" in r:
            body["class_id"] = st.classes[r["class"]]["id"]
        resp = await st.api.request("POST", "registration", "/registrations", user=step["by"], json=body,
                                    ok=(201, 409, 422))
        found = resp.json()
        seen = {"official": official.full_name, "unit_code": official.unit_code, "programme": r["programme"],
                "class": r.get("class")}
        if resp.status_code == 201:
            outcome = str(found.get("outcome", "accepted"))
            findings = [f for f in found.get("findings", []) if f.get("severity") in ("error", "warning")]
            st.registrations.append({**seen, "id": found.get("id"), "outcome": outcome, "findings": findings})
            st.count(f"registrations_{outcome}")
        else:  # refused before it was recorded (the same registration is already active, or invalid)
            st.count("registrations_refused")
            st.registrations.append({**seen, "id": None, "outcome": "refused", "findings": [{
                "code": str(found.get("code") or "submission_refused"), "severity": "error",
                "message_vi": found.get("detail_vi") or found.get("title_vi") or "",
                "message_en": found.get("detail_en") or found.get("detail") or ""}]})


def _input_for(inputs: dict[str, Any], n: int) -> dict[str, Any]:
    """The inputs of the n-th task: constants as they are, ``{cycle: [...]}`` taken in turn."""
    return {k: (v["cycle"][n % len(v["cycle"])] if isinstance(v, dict) else v) for k, v in inputs.items()}


async def _open_tasks(st: RunState, by: str, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = await st.api.get("portal", "/tasks", user=by, kind=kind, status="open", limit=PAGE, offset=offset)
        found += page["items"]
        if len(page["items"]) < PAGE:
            return found
        offset += PAGE


async def complete_tasks(st: RunState, step: dict[str, Any]) -> None:
    """Wait for ``count`` open tasks of a kind in the user's inbox (all that appear when no count), and decide
    them: one bulk call per 100 when the inputs are the same for all, else one call per task."""
    by, kind, want = step["by"], step["kind"], step.get("count")
    timeout = float(step.get("timeout_seconds", 120))
    inputs = step.get("inputs", {})
    varying = any(isinstance(v, dict) for v in inputs.values())
    deadline = time.monotonic() + timeout
    done = 0
    decided: set[str] = set()
    unsure: set[str] = set()  # sent, but answered "not open": the first answer may have been lost in a crash
    task = st.progress.add_task(f"Quyết định / deciding {kind}", total=want)
    quiet_since = time.monotonic()
    while want is None or done < want:
        tasks = [t for t in await _open_tasks(st, by, kind) if t["id"] not in decided]
        if want is not None:
            tasks = tasks[:want - done]
        if not tasks and unsure:
            done += await _ask_again(st, step, unsure, decided)
            st.progress.update(task, completed=done)
            if want is not None and done >= want:
                break
        if not tasks:
            if want is None and (time.monotonic() > deadline or (done and time.monotonic() - quiet_since > 3)):
                break  # no count: decide whatever appears, stop once it is quiet (or nothing came)
            if time.monotonic() > deadline:
                raise StepFailed(f"timed out after {timeout:.0f} s: {done} of {want if want else 'some'} "
                                 f"'{kind}' tasks decided by {by}")
            await _pause()
            continue
        quiet_since = time.monotonic()
        if varying:
            for t in tasks:
                body = {"action": step["choose"], "inputs": _input_for(inputs, done),
                        "comment": step.get("comment", "")}
                result = await st.api.post("portal", f"/tasks/{t['id']}/complete", user=by, json=body)
                done += _accepted(st, [result], decided, t["id"])
                st.progress.update(task, completed=done)
        else:
            for start in range(0, len(tasks), BULK):
                ids = [t["id"] for t in tasks[start:start + BULK]]
                body = {"task_ids": ids, "action": step["choose"], "inputs": inputs, "comment": step.get("comment", "")}
                result = await st.api.post("portal", "/tasks/bulk-complete", user=by, json=body)
                done += _accepted(st, result["results"], decided, unsure=unsure)
                st.progress.update(task, completed=done)
    st.count(f"tasks_{kind}_{step['choose']}", done)


def _accepted(st: RunState, results: list[dict[str, Any]], decided: set[str], task_id: str | None = None,
              unsure: set[str] | None = None) -> int:
    n = 0
    for r in results:
        tid = r.get("task_id") or task_id or ""
        decided.add(tid)
        if r["status"] == "accepted":
            n += 1
            if unsure is not None:
                unsure.discard(tid)
        elif unsure is not None and r.get("code") == "task_not_open":
            decided.discard(tid)  # being completed: asked again once the inbox is empty (or decided again if it
            unsure.add(tid)  # is reopened)
        else:
            st.refusals.append({"task": r.get("task_id"), "code": r.get("code"), "reason": r.get("reason_en")})
    return n


async def _ask_again(st: RunState, step: dict[str, Any], unsure: set[str], decided: set[str]) -> int:
    """Send the same decision again on tasks answered "not open": a task still being completed (its first answer
    lost when the portal or the connection died) answers "accepted" once it is closed with this decision."""
    body = {"action": step["choose"], "inputs": step.get("inputs", {}), "comment": step.get("comment", "")}
    n = 0
    for tid in sorted(unsure):
        resp = await st.api.request("POST", "portal", f"/tasks/{tid}/complete", user=step["by"], json=body,
                                    ok=(200, 409))
        if resp.status_code == 200 and resp.json().get("status") == "accepted":
            unsure.discard(tid)
            decided.add(tid)
            n += 1
    return n


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.25)
