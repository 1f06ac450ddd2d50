"""A source-cadre campaign (134-KH/TU) through selection's API and the portal's inbox: creation, nominations,
secret ballots, confirmations, marking, committee votes — each by its named user."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from cli.scenario.client import StepFailed, resolve_day, resolve_moment, wait_until
from cli.scenario.state import RunState

PARALLEL_DECISIONS = 8  # task completions in flight at once (each is its own decision, by its own user)
PARALLEL_SUBJECTS = 3  # papers marked at once, each by all its markers together
IDLE_PAUSE_SECONDS = 0.3  # between two looks at the inboxes when nothing was there to decide
STEP_ORDER = ("nomination", "screening", "examination", "committee", "decided")


def _campaign_body(st: RunState, spec: dict[str, Any]) -> dict[str, Any]:
    """The scenario's campaign with days/moments resolved, class codes as ids, generated voter rosters."""
    now = datetime.now(UTC)
    body = {k: v for k, v in spec.items()}
    body["proposal_date"] = resolve_day(spec.get("proposal_date", "today"), st.today).isoformat()
    groups = []
    for g in spec["groups"]:
        g = dict(g)
        if "class" in g:
            g["class_id"] = st.classes[g.pop("class")]["id"]
        groups.append(g)
    body["groups"] = groups
    confs = []
    for c in spec.get("conferences", []):
        c = dict(c)
        if isinstance(c.get("roster"), int):
            c["roster"] = [f"voter.{c['code'].lower()}.{i + 1}" for i in range(int(c["roster"]))]
        c["close_at"] = resolve_moment(str(c["close_at"]), now).isoformat()
        confs.append(c)
    body["conferences"] = confs
    body["deadlines"] = {k: resolve_moment(str(v), now).isoformat() for k, v in spec.get("deadlines", {}).items()}
    return body


async def create_campaign(st: RunState, step: dict[str, Any]) -> None:
    """Create the campaign (its workflow starts); the same number again returns the existing one."""
    spec = step["campaign"]
    read = await st.api.post("selection", "/campaigns", user=step["by"], json=_campaign_body(st, spec))
    st.campaigns[spec["number"]] = {**read, "nominees": {}, "spec": spec}


async def propose_nominees(st: RunState, step: dict[str, Any]) -> None:
    """The unit proposes people of a pool for a group, each with an evaluation."""
    camp = st.campaigns[step["campaign"]]
    for person in st.take(step["from"], int(step["count"])):
        body = {"official_id": person.id, "full_name": person.full_name, "unit_code": person.unit_code,
                "group_code": step["group"],
                "evaluation": step.get("evaluation", "Hoàn thành tốt nhiệm vụ, có triển vọng phát triển")}
        resp = await st.api.request("POST", "selection", f"/campaigns/{camp['id']}/nominations", user=step["by"],
                                    json=body, ok=(201, 409))
        if resp.status_code == 201:
            camp["nominees"][person.key] = {**resp.json(), "group": step["group"], "unit_code": person.unit_code}
    st.count("nominees", int(step["count"]))


async def cast_ballots(st: RunState, step: dict[str, Any]) -> None:
    """Tokens are issued for the conference's roster (by the Board), then each voter casts one secret ballot; with
    ``close_early`` (the reason) the Board then ends the ballot before its close time."""
    camp = st.campaigns[step["campaign"]]
    conf = next(c for c in camp["spec"]["conferences"] if c["code"] == step["conference"])
    issued = await st.api.post("selection", f"/campaigns/{camp['id']}/conferences/{conf['code']}/tokens",
                               user=step["by"])
    tokens = list(issued["tokens"])
    unit = conf.get("unit_code")
    eligible = [n for n in camp["nominees"].values() if not unit or n["unit_code"] == unit]
    for vote in step["votes"]:
        if vote["names"] == ["*"]:
            names = [n["id"] for n in eligible][: int(conf["max_names"])]
        else:
            names = [camp["nominees"][k]["id"] for k in vote["names"]]
        for _ in range(int(vote["ballots"])):
            if not tokens:
                raise StepFailed(f"conference {conf['code']}: more ballots than voters")
            await st.api.post("selection", "/ballots", user=None, json={"token": tokens.pop(), "nominees": names})
            st.count("ballots")
    if step.get("close_early"):  # every voter has voted: the Board ends the ballot now, giving the reason
        await st.api.request("POST", "selection", f"/campaigns/{camp['id']}/conferences/{conf['code']}/close",
                             user=step["by"], json={"reason": step["close_early"]})


async def _step_of(st: RunState, by: str, camp: dict[str, Any]) -> str:
    found = await st.api.get("selection", f"/campaigns/{camp['id']}", user=by)
    return str(found["step"])


def _reached(current: str, wanted: str) -> bool:
    order = {s: i for i, s in enumerate(STEP_ORDER)}
    return order.get(current, -1) >= order.get(wanted, len(STEP_ORDER))


async def wait_for_campaign(st: RunState, step: dict[str, Any]) -> None:
    """Wait until the campaign's workflow has reached a step (polling selection's read API)."""
    camp = st.campaigns[step["campaign"]]

    async def there() -> bool:
        return _reached(await _step_of(st, step["by"], camp), step["step"])

    await wait_until(there, timeout=float(step.get("timeout_seconds", 300)), what=f"campaign step {step['step']}")


async def _open(st: RunState, user: str, kind: str, campaign: str) -> list[dict[str, Any]]:
    """The user's open tasks of one kind for one campaign (another campaign's tasks are its own step's to decide)."""
    page = await st.api.get("portal", "/tasks", user=user, kind=kind, status="open", campaign=campaign, limit=200)
    return list(page["items"])


async def _inputs_of(st: RunState, user: str, task_id: str, action: str) -> list[str]:
    detail = await st.api.get("portal", f"/tasks/{task_id}", user=user)
    for a in detail.get("allowed_actions") or detail.get("actions", []):
        if a.get("name") == action or a.get("action") == action:
            return [str(i.get("name") or i.get("key")) for i in a.get("inputs", [])]
    return []


async def _until_step(st: RunState, step: dict[str, Any], kinds: list[str], decide: Any, *,
                      by_subject: bool = False) -> None:
    """Decide every open task of the kinds for each listed user until the campaign reaches ``until_step``.

    ``by_subject``: the tasks of one subject (a paper's essay marks and interview scores) are decided together, a
    few subjects at a time, as a panel scores a candidate at the end of the interview; otherwise each task on its
    own, several at a time. Together, a paper's decisions reach its workflow at once, and the Temporal server hands
    them over in one or two workflow tasks instead of one each."""
    camp = st.campaigns[step["campaign"]]
    deadline = time.monotonic() + float(step.get("timeout_seconds", 600))
    gate = asyncio.Semaphore(PARALLEL_SUBJECTS if by_subject else PARALLEL_DECISIONS)

    async def one(user: str, kind: str, t: dict[str, Any]) -> int:
        resp = await st.api.request("POST", "portal", f"/tasks/{t['id']}/complete", user=user,
                                    json=await decide(user, t), ok=(200, 403, 409, 422))
        result = resp.json()
        if resp.status_code == 200 and result.get("status") == "accepted":
            st.count(f"tasks_{kind}")
            return 1
        st.refusals.append({"task": t["id"], "kind": kind, "user": user,
                            "reason": result.get("reason_en") or result.get("detail_en")})
        return 0

    async def batch(tasks: list[tuple[str, str, dict[str, Any]]]) -> int:
        async with gate:
            return sum(await asyncio.gather(*(one(*task) for task in tasks)))

    async def inbox_of(user: str) -> list[tuple[str, str, dict[str, Any]]]:
        return [(user, kind, t) for kind in kinds for t in await _open(st, user, kind, camp["number"])]

    while not _reached(await _step_of(st, step["by"], camp), step["until_step"]):
        found = [task for tasks in await asyncio.gather(*(inbox_of(user) for user in step["users"]))
                 for task in tasks]
        batches: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for n, task in enumerate(found):
            batches.setdefault(str(task[2]["subject"]) if by_subject else str(n), []).append(task)
        acted = sum(await asyncio.gather(*(batch(tasks) for tasks in batches.values())))
        if time.monotonic() > deadline:
            raise StepFailed(f"campaign {camp['number']} did not reach {step['until_step']} in time")
        if not acted:
            await _sleep()


async def mark_papers(st: RunState, step: dict[str, Any]) -> None:
    """Examiners enter marks for the anonymous papers in their inboxes: the n-th paper code seen gets
    ``start - n * step`` (the same from every marker, so no discrepancy), until the campaign moves on."""
    marks: dict[str, float] = {}
    spec = step["marks"]

    async def decide(user: str, task: dict[str, Any]) -> dict[str, Any]:
        code = str(task["subject"]).split(":", 1)[-1]
        if code not in marks:
            marks[code] = round(float(spec["start"]) - len(marks) * float(spec.get("step", 1)), 1)
        return {"action": "mark", "inputs": {"mark": marks[code]}, "comment": ""}

    await _until_step(st, step, list(step.get("kinds", ["essay_mark", "interview_score"])), decide, by_subject=True)


async def committee_decide(st: RunState, step: dict[str, Any]) -> None:
    """Members vote on every candidate of their group's list; the chair signs each group's decision."""
    async def decide(user: str, task: dict[str, Any]) -> dict[str, Any]:
        if task["kind"] == "committee_vote":
            fields = await _inputs_of(st, user, task["id"], "vote")
            return {"action": "vote", "inputs": dict.fromkeys(fields, step.get("choose", "approve")), "comment": ""}
        group = str(task["subject"]).rsplit(":", 1)[-1]
        return {"action": "decide", "inputs": {"decision_number": step["decision_number"].format(group=group)},
                "comment": ""}

    await _until_step(st, step, ["committee_vote", "committee_decision"], decide)


async def _sleep() -> None:
    await asyncio.sleep(IDLE_PAUSE_SECONDS)
