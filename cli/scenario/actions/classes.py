"""Classes: scheduling (with the plan item), enrolment from a people pool, closing enrolment, results."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from cli.scenario.client import StepFailed, resolve_day, wait_until
from cli.scenario.loader import expand_code, expanded_from
from cli.scenario.state import RunState

PARALLEL_CLASSES = 12
REPLACEABLE = ("overlapping_class",)  # already in this class counts as enrolled (see _enrol_into)
# A wait for a class the events fill (selected candidates) allows for a consumer found stalled and replaced: two lag
# looks 30 s apart, then a new member joins (shared/events/consumer.py), well inside this.
WAIT_FOR_CLASS_SECONDS = 240


def _nth(value: Any, i: int, default: int) -> int:
    if value is None:
        return default
    return int(value[i]) if isinstance(value, list) else int(value)


def expand(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """A class block (maybe repeated) as one spec per class, with its own code, dates, numbers and enrolment."""
    out = []
    for i in range(int(spec.get("repeat", 1))):
        enrol = spec.get("enrol")
        count = _nth(enrol["count"], i, 0) if enrol else 0
        capacity = _nth(spec["capacity"], i, 0)
        out.append({**spec, "code": expand_code(spec["code"], i + 1), "index": i, "capacity": capacity,
                    "target": _nth(spec.get("target"), i, min(count, capacity) if enrol else 0),
                    "enrol_count": count})
    return out


def _body(st: RunState, c: dict[str, Any]) -> dict[str, Any]:
    start = resolve_day(c["start"], st.today) + timedelta(days=int(c.get("every_days", 0)) * c["index"])
    end = start + timedelta(days=int(c.get("days", 1)) - 1)
    deadline = max(st.today, start - timedelta(days=1))
    body: dict[str, Any] = {
        "code": c["code"], "programme_code": c["programme"], "institution": c["institution"],
        "venue": c.get("venue", ""), "start_date": start.isoformat(), "end_date": end.isoformat(),
        "capacity": c["capacity"], "target": c["target"], "enrolment_deadline": deadline.isoformat(),
        "sessions": [{"day": (start + timedelta(days=d)).isoformat(), "hours": 8, "topic": f"Buổi {d + 1}"}
                     for d in range((end - start).days + 1)]}
    if c.get("plan"):
        plan = st.plans[c["plan"]]
        item = next((it for it in plan["items"] if it["programme_code"] == c["programme"]), None)
        if item is None:
            raise StepFailed(f"plan {c['plan']} has no item for programme {c['programme']}")
        body["plan_item_id"] = item["id"]
    return body


async def _schedule(st: RunState, by: str, c: dict[str, Any]) -> dict[str, Any]:
    """The class as scheduled now, or (played before) as it exists, with how many it already holds."""
    resp = await st.api.request("POST", "scheduling", "/classes", user=by, json=_body(st, c), ok=(201, 409))
    if resp.status_code == 201:
        st.count("classes")
        return {**resp.json(), "enrolled": 0}
    existing = await st.api.get("scheduling", "/classes", user=by, programme_code=c["programme"])
    found = next((x for x in existing if x["code"] == c["code"]), None)
    if found is None:
        raise StepFailed(f"class {c['code']}: {resp.status_code} {resp.text[:200]}")
    return dict(found)


BULK = 500  # the most people one bulk enrolment takes


async def _enrol_into(st: RunState, by: str, cls: dict[str, Any], count: int, selector: dict[str, Any]) -> None:
    """Enrol ``count`` people, up to BULK per request; someone refused (already in an overlapping class) is
    replaced by the next in turn."""
    chosen = st.take(selector, count)
    used = {o.id for o in chosen}
    queue = list(chosen)
    done = 0
    task = st.progress.add_task(f"Ghi danh / enrolling {cls['code']}", total=count)
    while done < count:
        if not queue:
            spare = st.spare(selector, used)
            if not spare:
                raise StepFailed(f"class {cls['code']}: only {done} of {count} people could be enrolled")
            queue, used = spare[:count - done], used | {o.id for o in spare[:count - done]}
        batch, queue = queue[:min(BULK, count - done)], queue[min(BULK, count - done):]
        resp = await st.api.request("POST", "scheduling", f"/classes/{cls['id']}/enrolments/bulk", user=by,
                                    json={"people": [{"official_id": p.id, "official_name": p.full_name,
                                                      "unit_code": p.unit_code} for p in batch]})
        body = resp.json()
        # already in this class: an earlier try of this request was written but its answer lost (the client
        # retries on a connection error), so that person counts as enrolled, not replaced
        again = sum(1 for r in body["refused"] if r["code"] == "already_enrolled")
        for refused in body["refused"]:
            if refused["code"] == "already_enrolled":
                continue
            if refused["code"] not in REPLACEABLE:
                raise StepFailed(f"enrol {refused['official_name']} in {cls['code']}: {refused}")
            st.refusals.append({"class": cls["code"], "official": refused["official_name"],
                                "reason": refused["detail_en"]})
        done += len(body["enrolled"]) + again
        st.progress.advance(task, len(body["enrolled"]) + again)
    st.count("enrolments", count)


async def _close(st: RunState, by: str, cls: dict[str, Any]) -> None:
    await st.api.request("POST", "scheduling", f"/classes/{cls['id']}/close-enrolment", user=by,
                         json={"reason": "Đủ học viên theo kế hoạch"}, ok=(202, 409))


async def schedule_classes(st: RunState, step: dict[str, Any]) -> None:
    """Schedule every class of the step, then fill each from its pool (several classes at a time)."""
    specs = [c for block in step["classes"] for c in expand(block)]
    task = st.progress.add_task("Mở lớp / scheduling classes", total=len(specs))
    for c in specs:
        st.classes[c["code"]] = await _schedule(st, step["by"], c)
        st.progress.advance(task)
    gate = asyncio.Semaphore(PARALLEL_CLASSES)

    async def fill(c: dict[str, Any]) -> None:
        async with gate:
            cls = st.classes[c["code"]]
            missing = c["enrol_count"] - int(cls.get("enrolled", 0))
            if c.get("enrol") and missing > 0:
                await _enrol_into(st, step["by"], cls, missing, c["enrol"]["from"])
            if c.get("close_enrolment"):
                await _close(st, step["by"], cls)

    await asyncio.gather(*(fill(c) for c in specs))


async def enrol(st: RunState, step: dict[str, Any]) -> None:
    """Enrol people of a pool into one class."""
    await _enrol_into(st, step["by"], st.classes[step["class"]], int(step["count"]), step["from"])


async def close_enrolment(st: RunState, step: dict[str, Any]) -> None:
    """Close enrolment of the named classes early (the lifecycle then compares with the target)."""
    for code in step["classes"]:
        await _close(st, step["by"], st.classes[code])


async def _run_and_complete(st: RunState, by: str, code: str, marks: dict[str, Any]) -> None:
    """Once the class runs, record everyone's attendance and marks; then wait until the lifecycle completes it."""
    cls = st.classes[code]

    async def running() -> dict[str, Any] | None:
        found = await st.api.get("scheduling", f"/classes/{cls['id']}", user=by)
        return found if found["status"] in ("running", "completed") else None

    current = await wait_until(running, timeout=120, what=f"class {cls['code']} to be running")
    if current["status"] == "running":
        roster = await st.api.get("scheduling", f"/classes/{cls['id']}/roster", user=by)
        results = [{"official_id": r["official_id"], "marks": marks} for r in roster if r["status"] == "enrolled"]
        timetable = await st.api.get("scheduling", f"/classes/{cls['id']}/timetable", user=by)
        for session in timetable["sessions"]:
            await st.api.post("scheduling", f"/classes/{cls['id']}/attendance", user=by,
                              json={"session_id": session["id"], "present": [r["official_id"] for r in results]})
        for start in range(0, len(results), 500):
            await st.api.post("scheduling", f"/classes/{cls['id']}/results", user=by,
                              json={"results": results[start:start + 500]})

    async def completed() -> bool:
        found = await st.api.get("scheduling", f"/classes/{cls['id']}", user=by)
        return bool(found["status"] == "completed")

    await wait_until(completed, timeout=120, what=f"class {cls['code']} to complete")
    st.count("classes_completed")


async def record_results(st: RunState, step: dict[str, Any]) -> None:
    """Record the results of one class (``class``) or of several (``classes``: codes or ``{n}`` patterns with
    ``repeat``), several at a time, and wait until each completes."""
    codes = [step["class"]] if "class" in step else list(step["classes"])
    known = [c for c in st.classes if any(c == code or expanded_from(code, c) for code in codes)]
    if not known:
        raise StepFailed(f"record_results: no scheduled class matches {', '.join(codes)}")
    gate = asyncio.Semaphore(PARALLEL_CLASSES)
    task = st.progress.add_task("Kết quả học tập / recording results", total=len(known))

    async def one(code: str) -> None:
        async with gate:
            await _run_and_complete(st, step["by"], code, step["marks"])
            st.progress.advance(task)

    await asyncio.gather(*(one(c) for c in known))


async def wait_for_class(st: RunState, step: dict[str, Any]) -> None:
    """Wait until a class holds a number of enrolled people (e.g. selected candidates placed by the events)."""
    cls = st.classes[step["class"]]

    async def filled() -> bool:
        found = await st.api.get("scheduling", f"/classes/{cls['id']}", user=step["by"])
        return int(found.get("enrolled", 0)) >= int(step["enrolled"])

    try:
        await wait_until(filled, timeout=float(step.get("timeout_seconds", WAIT_FOR_CLASS_SECONDS)),
                         what=f"{step['enrolled']} people enrolled in class {cls['code']}")
    except StepFailed as exc:
        raise StepFailed(f"{exc}; {await _class_state(st, step['by'], cls)}") from None


async def _class_state(st: RunState, user: str, cls: dict[str, Any]) -> str:
    """What a wait for a class found: its enrolled count and status, and the requests naming it (placed or why not)."""
    found = await st.api.get("scheduling", f"/classes/{cls['id']}", user=user)
    every = await st.api.get("scheduling", "/enrolment-requests", user=user)
    reqs = [r for r in every if r.get("class_id") == cls["id"]]
    told = "; ".join(f"{r['official_name']}: {r['status']}{' — ' + r['reason_en'] if r.get('reason_en') else ''}"
                     for r in reqs) or "none"
    return (f"found {found.get('enrolled')} enrolled, class {found.get('status')}; its enrolment requests: {told}"
            + "".join(f"; {said}" for said in await _selections_for(st, user, cls)))


async def _selections_for(st: RunState, user: str, cls: dict[str, Any]) -> list[str]:
    """For a class a campaign's group fills: the group's candidates by stage, as selection holds them (was anyone
    selected at all, or did the enrolment not follow the decision?)."""
    said = []
    for number, camp in st.campaigns.items():
        for g in camp["spec"].get("groups", []):
            if g.get("class") != cls["code"]:
                continue
            every = await st.api.get("selection", f"/campaigns/{camp['id']}/candidates", user=user)
            stages: dict[str, int] = {}
            for c in every:
                if c.get("group_code") == g["code"]:
                    stages[str(c.get("stage"))] = stages.get(str(c.get("stage")), 0) + 1
            said.append(f"campaign {number} group {g['code']}: "
                        + (", ".join(f"{n} {stage}" for stage, n in sorted(stages.items())) or "no candidates"))
    return said
