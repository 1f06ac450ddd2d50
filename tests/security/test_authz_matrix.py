"""The authorisation matrix, generated from one table (shared.authz.ROUTE_RULES): every route of every service ×
every role × a caller of the record's own unit / of another unit / of no unit, each with its expected allow or deny.
0 wrong allows (and 0 wrong denials). Tasks add the task's state: claimable, held by someone else, delegated to the
caller, excluded (four-eyes)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.human_tasks import CreateTaskInput, TaskAction, TaskRequest
from contracts.stalls import stall_actions
from services.portal.activities import PortalActivities
from shared.auth import Principal
from shared.authz import PERMISSIONS, ROUTE_RULES, UNIT_WIDE_READERS, TaskFacts, authorize_task, expected
from shared.errors import Problem
from tests.security.support import OTHER, OWN, Seed, Services, build_services, official_body, seed_two_units
from tests.unit.portal.samples import sample_dossier

ROLES = sorted(set().union(*PERMISSIONS.values()) | {"operator"})
CASES = {"own": [OWN], "other": [OTHER], "none": []}  # the caller's units; the record is always OWN's
DENIED = (401, 403, 404)  # 404: a record of another unit is not admitted to exist
APPROVE = TaskAction("approve", "Phê duyệt", "Approve", "approve")


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Services, Seed]]:
    services = await build_services(Path(tmp_path_factory.mktemp("matrix")))
    seed = await seed_two_units(services)
    yield services, seed
    await services.close()


def routes_of(routes: list[Any]) -> Iterator[Any]:
    for r in routes:
        if hasattr(r, "original_router"):  # FastAPI's lazily included router
            yield from routes_of(r.original_router.routes)
        else:
            yield r


def all_routes(services: Services) -> set[str]:
    return {f"{svc} {m} {r.path}" for svc, app in services.apps.items() for r in routes_of(app.routes)
            for m in (getattr(r, "methods", None) or ()) if m != "HEAD"}


async def test_the_table_names_every_route_and_only_routes(world: tuple[Services, Seed]) -> None:
    services, _ = world
    found = all_routes(services)
    assert sorted(found - set(ROUTE_RULES)) == [], "routes without a rule in shared.authz.ROUTE_RULES"
    assert sorted(set(ROUTE_RULES) - found) == [], "rules for routes that do not exist"


def request_for(route: str, seed: Seed, unit: str) -> tuple[str, str, dict[str, Any]]:
    """A request that reaches the route's authorisation for a record (or a body) of ``unit``."""
    svc, method, path = route.split(" ", 2)
    ids = {"official_id": seed.officials[unit], "registration_id": seed.registrations[unit], "code": unit,
           "class_id": seed.class_id, "enrolment_id": seed.enrolments[unit], "request_id": seed.requests[unit],
           "campaign_id": "no-such-campaign", "plan_id": "no-such-plan", "task_id": "no-such-task",
           "dispatch_id": str(uuid.uuid4()), "substitute_id": "no-such-period"}
    if svc == "scheduling" and path == "/officials/{official_id}/classes":
        ids["official_id"] = seed.officials[unit]
    if svc == "scheduling" and path.startswith("/programmes/"):
        ids["code"] = "LLCT-TC"
    if svc == "selection" and path.endswith("/tokens"):
        ids["code"] = "HN-X"
    url = path.format(**ids)
    kw: dict[str, Any] = {}
    bodies: dict[str, Any] = {
        "registration POST /officials": official_body(f"0010751{uuid.uuid4().int % 10**5:05d}", unit),
        "registration POST /officials/import": {"rows": [], "unit_code": unit},
        "registration POST /units/reorganisations": {"kind": "split", "sources": [unit], "targets": [],
                                                     "effective_date": "2025-07-01", "decision_ref": "NQ 1/2025"},
        "registration POST /registrations": {"official_id": seed.officials[unit], "programme_code": "NO-SUCH",
                                             "plan_year": 2025},
        "registration POST /registrations/check": {"official_id": seed.officials[unit], "programme_code": "NO-SUCH",
                                                   "plan_year": 2025},
        "scheduling POST /classes/{class_id}/enrolments": {"official_id": f"p-{uuid.uuid4().hex[:8]}",
                                                          "official_name": "Người mới", "unit_code": unit},
        "scheduling POST /classes/{class_id}/enrolments/bulk": {"people": [{
            "official_id": f"p-{uuid.uuid4().hex[:8]}", "official_name": "Người mới", "unit_code": unit}]},
        "scheduling POST /enrolments/{enrolment_id}/withdraw": {"reason": "kiểm thử"},
        "selection POST /campaigns/{campaign_id}/conferences/{code}/close": {"reason": "kiểm thử"},
        "scheduling POST /enrolments/{enrolment_id}/decline": {"reason": "kiểm thử"},
        "scheduling POST /enrolment-requests/{request_id}/place": {"class_id": "no-such-class"},
        "selection POST /campaigns/{campaign_id}/nominations": {
            "official_id": seed.officials[unit], "full_name": "Cán bộ", "unit_code": unit, "group_code": "G1",
            "evaluation": "Hoàn thành tốt nhiệm vụ"},
    }
    if route in bodies:
        kw["json"] = bodies[route]
    elif route == "registration POST /officials/import/file":
        kw["files"] = {"file": ("o.csv", b"personal_id,full_name\n")}
        kw["params"] = {"unit": unit}
    elif method == "POST":
        kw["json"] = {}
    if route in ("registration GET /compliance", "registration GET /conflicts", "scheduling GET /reports/annual"):
        kw["params"] = {"year": 2025}
    if route == "registration GET /audit" or route.endswith("GET /audit"):
        kw["params"] = {"subject": "x"}
    return method, url, kw


def leaks(route: str, body: str, units: list[str], seed: Seed) -> list[str]:
    """For a list: the other unit's records it shows the caller (rows are only the caller's units')."""
    hidden = [u for u in (OWN, OTHER) if u not in units and "*" not in units]
    marks = {u: [seed.officials[u], seed.registrations[u], f"Cán bộ {u}", f"Chờ {u}"] for u in hidden}
    if route == "registration GET /units":
        marks = {u: [f'"code":"{u}"'] for u in hidden}
    return [f"{u}:{m}" for u, ms in marks.items() for m in ms if m in body]


SKIP_ROLE_CASES = {"task", "session"}  # tested below with tasks in each state


async def test_every_route_for_every_role_and_unit_case(world: tuple[Services, Seed]) -> None:
    services, seed = world
    wrong_allows, wrong_denials, leaked = [], [], []
    order = sorted(ROUTE_RULES, key=lambda r: (r.split(" ")[1] != "GET", r))  # reads before writes change data
    for route, role, (case, units) in itertools.product(order, ROLES, CASES.items()):
        action, scope = ROUTE_RULES[route]
        if scope in SKIP_ROLE_CASES:
            continue
        svc = route.split(" ", 1)[0]
        method, url, kw = request_for(route, seed, OWN)
        resp = await services.client(svc).request(method, url, headers=services.headers([role], units,
                                                                                        user=f"m.{role}.{case}"), **kw)
        allow = expected(route, frozenset([role]), covers_target=(case == "own"))
        cell = f"{route} as {role} of {case} unit -> {resp.status_code}"
        if not allow and resp.status_code not in DENIED:
            wrong_allows.append(cell + " " + resp.text[:160])
        if allow and action is not None and resp.status_code in (401, 403):
            wrong_denials.append(cell + " " + resp.text[:160])
        unit_wide = role in UNIT_WIDE_READERS.get(action or "", frozenset())  # the table's stated exception
        if allow and scope == "list" and resp.status_code == 200 and not unit_wide:
            leaked += [f"{cell}: {m}" for m in leaks(route, resp.text, units, seed)]
    assert wrong_allows == [], "\n".join(wrong_allows[:30])
    assert leaked == [], "\n".join(leaked[:30])
    assert wrong_denials == [], "\n".join(wrong_denials[:30])


async def test_a_token_of_no_role_or_no_token_reaches_nothing_but_public_routes(world: tuple[Services, Seed]) -> None:
    services, seed = world
    wrong = []
    for route, (action, _scope) in ROUTE_RULES.items():
        if action is None:
            continue
        svc = route.split(" ", 1)[0]
        method, url, kw = request_for(route, seed, OWN)
        for headers in ({}, services.headers([], ["*"]), {"Authorization": "Bearer not-a-token"}):
            resp = await services.client(svc).request(method, url, headers=headers, follow_redirects=False, **kw)
            ok = resp.status_code in DENIED or (ROUTE_RULES[route][1] == "session" and resp.status_code == 303
                                                and resp.headers["location"] == "/ui/signin")
            if not ok:
                wrong.append(f"{route} with {headers or 'no token'} -> {resp.status_code}")
    assert wrong == []


# --- tasks: route × role × unit × task state ------------------------------------------------------------------

TASK_STATES = ("claimable", "held", "delegated", "excluded")
# the kinds filed: a review (any of its candidate roles decides), a stalled process (shared.authz.TASK_KIND_ROLES: the
# Board alone, though filed for a unit officer too), in the states that tell the kind rule apart
TASK_KINDS = [("registration_review", s) for s in TASK_STATES] + [("process_stalled", s)
                                                                  for s in ("claimable", "delegated")]
ACTIONS = {"registration_review": [APPROVE], "process_stalled": stall_actions()}


async def _task(services: Services, *, unit: str | None, state: str, me: str,
                kind: str = "registration_review") -> str:
    acts = PortalActivities(services.contexts["portal"])
    wf = f"wf-{uuid.uuid4().hex[:10]}"
    req = TaskRequest(task_key="review", kind=kind, title_vi="Xét duyệt", title_en="Review",
                      subject="registration:R", candidate_roles=["organization_board", "unit_officer"],
                      actions=ACTIONS[kind], unit_scope=unit,
                      assignee={"held": "someone.else", "delegated": me}.get(state),
                      excluded_users=[me] if state == "excluded" else [],
                      dossier=sample_dossier(kind) or {})  # the kind's view (contracts.tasks)
    return await acts.create_task(CreateTaskInput(wf, "run-1", "Probe", "complete_task", req))


def task_expected(role: str, units: list[str], unit: str | None, state: str, me: str, op: str,
                  kind: str = "registration_review") -> bool:
    """The rule (shared.authz.authorize_task) for the task as filed."""
    facts = TaskFacts(candidate_roles=frozenset({"organization_board", "unit_officer"}), unit_scope=unit,
                      assignee={"held": "someone.else", "delegated": me}.get(state),
                      excluded_users=frozenset({me} if state == "excluded" else set()), kind=kind)
    principal = Principal(user_id=me, roles=frozenset([role]), units=frozenset(units))
    if not principal.roles.intersection(PERMISSIONS["task.read"]):
        return False
    try:
        authorize_task(principal, facts, op)
    except Problem:
        return False
    return True


TASK_ROUTES = {"view": ("GET", "/tasks/{id}", None), "claim": ("POST", "/tasks/{id}/claim", None),
               "release": ("POST", "/tasks/{id}/release", None),
               "delegate": ("POST", "/tasks/{id}/delegate", {"to": "btc.other", "reason": "vắng mặt"}),
               "complete": ("POST", "/tasks/{id}/complete", {"action": "approve", "comment": "đồng ý"})}


async def test_task_routes_for_every_role_unit_and_task_state(world: tuple[Services, Seed]) -> None:
    services, _ = world
    client = services.client("portal")
    wrong_allows, wrong_denials = [], []
    # the task's candidate roles, a task reader outside them, and a role without task.read (every other role
    # falls in one of these classes for authorize_task)
    roles = ["organization_board", "unit_officer", "examiner", "committee_member", "auditor", "service"]
    for op, role, (case, units), (kind, state) in itertools.product(TASK_ROUTES, roles, CASES.items(), TASK_KINDS):
        me = f"t.{role}.{case}.{uuid.uuid4().hex[:6]}"
        task_id = await _task(services, unit=OWN, state=state, me=me, kind=kind)
        method, path, body = TASK_ROUTES[op]
        if op == "complete":
            body = {**(body or {}), "action": ACTIONS[kind][0].name}
        resp = await client.request(method, path.format(id=task_id), json=body,
                                    headers=services.headers([role], units, user=me))
        allow = task_expected(role, units, OWN, state, me, op, kind)
        if kind == "process_stalled" and role != "organization_board":
            assert not allow, (op, role, case, state)  # the table says the Board alone
        cell = f"{op} {kind} as {role} of {case} unit, task {state} -> {resp.status_code}"
        if not allow and resp.status_code not in DENIED:
            wrong_allows.append(cell + " " + resp.text[:160])
        if allow and resp.status_code in (401, 403):
            wrong_denials.append(cell + " " + resp.text[:160])
    assert wrong_allows == [], "\n".join(wrong_allows[:30])
    assert wrong_denials == [], "\n".join(wrong_denials[:30])


def test_session_cookie_pages_follow_the_same_rule(world: tuple[Services, Seed]) -> None:
    """The portal's pages take the session cookie only; a bearer token (or another service's cookie) is no
    session (tests/security/test_secrets.py covers the cookie's audience)."""
    assert {r for r, (_, scope) in ROUTE_RULES.items() if scope == "session"} == {
        "portal GET /ui/inbox", "portal GET /ui/tasks/{task_id}", "portal POST /ui/tasks/{task_id}/hold",
        "portal POST /ui/tasks/{task_id}/act", "portal GET /ui/marking", "portal GET /ui/tasks/{task_id}/record",
        "portal POST /ui/tasks/{task_id}/delegate", *ROLE_PAGES}


# the role pages (services/portal/pages): each takes the action of the API it reads
ROLE_PAGES = {r for r in ROUTE_RULES if r.startswith("portal ") and r.split(" ")[2].startswith("/ui/")
              and r.split(" ")[2].split("/")[2] in ("officials", "needs", "registrations", "conflicts", "compliance",
                                                    "classes", "plans", "campaigns", "report", "report.xlsx",
                                                    "audit", "dossier-reads", "away")}


async def test_role_pages_for_every_role_with_a_session(world: tuple[Services, Seed]) -> None:
    """Every role page × every role that can sign in: the page, or the 403 page when the table says no; the page
    reads the other services as the person (in-process apps here), so their own rules apply behind it."""
    from shared.auth import PORTAL_SESSION, SESSION_COOKIE

    services, seed = world
    portal = services.apps["portal"]
    portal.state.service_transports = {n: httpx.ASGITransport(app=a) for n, a in services.apps.items()}
    assert len(ROLE_PAGES) == 21
    wrong = []
    try:
        for route, role in itertools.product(sorted(ROLE_PAGES), ROLES):
            _, method, path = route.split(" ", 2)
            cookie = services.token([role], ["*"], user=f"p.{role}", audience=[PORTAL_SESSION])
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=portal, raise_app_exceptions=False),
                                       base_url="http://portal", cookies={SESSION_COOKIE: cookie})
            async with client:
                url = path.format(official_id=seed.officials[OWN], class_id=seed.class_id,
                                  substitute_id="no-such-period")
                form = {"official_id": seed.officials[OWN], "programme_code": "NO-SUCH", "plan_year": "2025"}
                resp = await (client.post(url, data=form) if method == "POST" else client.get(url))
            allow = expected(route, frozenset([role]), covers_target=True)
            # allowed: the page (a POST of a programme that does not exist: the form again, with the API's 422; the
            # end of an out-of-office period that does not exist: the API's 404, in words)
            ok = 200 if method == "GET" else 404 if path.endswith("/end") else 422
            if resp.status_code != ok if allow else resp.status_code != 403:
                wrong.append(f"{route} as {role} -> {resp.status_code}")
            if resp.status_code == 403:
                assert "Không có quyền" in resp.text, route
    finally:
        portal.state.service_transports = {}
    assert wrong == []


_ = httpx  # the clients are httpx's
