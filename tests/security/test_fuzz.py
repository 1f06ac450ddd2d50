"""Every service's OpenAPI fuzzed in process (schemathesis, bounded examples), with a token that holds every role
over every unit: no request may answer 5xx, and every 4xx is problem+json."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from shared.authz import PERMISSIONS
from shared.config import SERVICES
from shared.logging import configure_logging
from tests.security.support import LoopThread, Services, build_services, seed_legacy_units

EXAMPLES = int(os.environ.get("CADRE_FUZZ_EXAMPLES", "15"))  # per operation, valid and invalid data mixed
EVERY_ROLE = sorted(set().union(*PERMISSIONS.values()))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopThread, Services]]:
    configure_logging("CRITICAL", process="fuzz")  # the unexpected-error log is the response's job to report here
    loop = LoopThread()
    services = loop.run(build_services(Path(tmp_path_factory.mktemp("fuzz"))))
    loop.run(seed_legacy_units(services))
    yield loop, services
    loop.run(services.close())
    loop.stop()


def _httpx_kwargs(kw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"headers": {k: v for k, v in kw.get("headers", {}).items() if k != "Connection"},
                           "params": kw.get("params") or None, "cookies": kw.get("cookies") or None}
    if "json" in kw:
        out["json"] = kw["json"]
    if "files" in kw:
        out["files"] = kw["files"]
        if isinstance(kw.get("data"), dict):
            out["data"] = kw["data"]
    elif "data" in kw:
        out["content"] = kw["data"] if isinstance(kw["data"], bytes | str) else str(kw["data"])
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_no_request_answers_5xx(world: tuple[LoopThread, Services], service: str) -> None:
    loop, services = world
    app = services.apps[service]
    schema = schemathesis.openapi.from_dict(app.openapi())
    token = services.token(EVERY_ROLE, ["*"], user="fuzz.all-roles")
    client = services.client(service)
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()

        def make_check(operation: Any) -> Any:
            @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                                  operation.as_strategy(GenerationMode.NEGATIVE)))
            def check(case: Any) -> None:
                kw = case.as_transport_kwargs(base_url=f"http://{service}",
                                              headers={"Authorization": f"Bearer {token}"})
                try:
                    resp = loop.run(client.request(kw["method"], kw["url"], **_httpx_kwargs(kw)))
                except httpx.HTTPError as exc:  # a body httpx cannot send is the fuzzer's, not the service's, fault
                    if isinstance(exc, httpx.TransportError):
                        raise
                    return
                if operation.path == "/readyz" and resp.status_code == 503:
                    return  # readiness answers 503 naming what is down (here: Temporal), by design
                if resp.status_code >= 500 or (400 <= resp.status_code < 500
                                               and not resp.headers.get("content-type", "").startswith(
                                                   "application/problem+json")):
                    failures.append(f"{kw['method']} {kw['url']} params={kw.get('params')} -> {resp.status_code} "
                                    f"{resp.text[:300]}")

            return check

        make_check(operation)()
    assert failures == [], "\n".join(failures[:20])


EDGE_INTS = (10**20, 2**63, -(2**63) - 1)
EDGE_TEXT = ("\x07\x1b", "=HYPERLINK(\"https://evil.example\")", "\u0000")


def _types(schema: dict[str, Any]) -> set[str]:
    found = {schema["type"]} if "type" in schema else set()
    for alt in schema.get("anyOf", []):
        found |= _types(alt)
    return found


def _plain_value(schema: dict[str, Any]) -> Any:
    for alt in [schema, *schema.get("anyOf", [])]:
        if "enum" in alt:
            return alt["enum"][0]
        if alt.get("type") == "integer":
            return max(alt.get("minimum", 2025), min(alt.get("maximum", 2025), 2025))
        if alt.get("type") == "string" and not alt.get("pattern") and not alt.get("format"):
            return "x"
    return None


def edge_cases(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Each GET's query parameters, one at a time, at the edges random data seldom reaches: integers beyond 64 bits,
    control characters and formula text (the others at a plain valid value)."""
    out = []
    for path, item in openapi["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        url = path.replace("{", "").replace("}", "")  # a path parameter's own name as its value
        query = [p for p in op.get("parameters", []) if p["in"] == "query"]
        plain = {p["name"]: v for p in query if (v := _plain_value(p["schema"])) is not None}
        for p in query:
            kinds = _types(p["schema"])
            edges: tuple[Any, ...] = ((EDGE_INTS if "integer" in kinds else ())
                                      + (EDGE_TEXT if "string" in kinds else ()))
            out += [("GET", url, {**plain, p["name"]: e}) for e in edges]
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_edge_values_answer_no_5xx(world: tuple[LoopThread, Services], service: str) -> None:
    loop, services = world
    client, token = services.client(service), services.token(EVERY_ROLE, ["*"], user="fuzz.all-roles")
    failures = []
    for method, url, params in edge_cases(services.apps[service].openapi()):
        resp = loop.run(client.request(method, url, params=params, headers={"Authorization": f"Bearer {token}"}))
        if resp.status_code >= 500 and url != "/readyz":
            failures.append(f"{method} {url} {params} -> {resp.status_code} {resp.text[:200]}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(("service", "path"), [
    ("registration", "/compliance?year=2000"),  # before the training obligation's first version: was a 500
    ("registration", "/units?format=xlsx"),  # after a unit named with a control character: was a 500
    ("registration", "/units?format=csv"),
    ("portal", "/tasks?offset=100000000000000000000"),  # beyond SQLite's integers: was a 500
    ("registration", "/officials?offset=100000000000000000000"),
])
def test_what_the_fuzz_found_answers_a_clear_4xx_or_a_clean_file(world: tuple[LoopThread, Services], service: str,
                                                                path: str) -> None:
    loop, services = world
    resp = loop.run(services.client(service).get(path, headers=services.headers(["organization_board"])))
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        assert resp.status_code == 422 and resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["detail_vi"] and resp.json()["detail"]
