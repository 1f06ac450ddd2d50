"""The runner's pure parts and its HTTP client (on an in-memory transport): dates, people, pools, retries, waits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from rich.console import Console
from rich.progress import Progress

from cli.scenario.actions.classes import expand
from cli.scenario.client import Api, StepFailed, resolve_day, resolve_moment, tokens_for, wait_until
from cli.scenario.loader import expanded_from, schema
from cli.scenario.outcome import figure_mismatches
from cli.scenario.people import NamePoolExhausted, NameSource, generate, personal_id
from cli.scenario.runner import ACTIONS, reader_of
from cli.scenario.state import Official, RunState
from services.registration.domain.personal_id import parse_personal_id
from shared.auth import decode_token
from shared.config import Settings

SETTINGS = Settings()


def test_every_action_of_the_schema_has_a_handler() -> None:
    enum = schema()["$defs"]["step"]["properties"]["action"]["enum"]
    assert set(enum) == set(ACTIONS)


def test_days_and_moments() -> None:
    today = date(2026, 3, 10)
    assert resolve_day("+30d", today) == date(2026, 4, 9)
    assert resolve_day("-2d", today) == date(2026, 3, 8)
    assert resolve_day("today", today) == today
    assert resolve_day("2023-05-01", today) == date(2023, 5, 1)
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert resolve_moment("+90s", now) == datetime(2026, 3, 10, 8, 1, 30, tzinfo=UTC)
    assert resolve_moment("+2h", now).hour == 10
    assert resolve_moment("2026-04-01T09:00:00", now) == datetime(2026, 4, 1, 9, tzinfo=UTC)


def test_generated_people_have_unique_names_and_valid_personal_ids() -> None:
    names = NameSource()
    people = generate({"count": 3000, "units": ["A", "B", "C"], "birth_years": [1975, 1992]}, names, 1)
    assert len({p.full_name for p in people}) == 3000
    assert [p.unit_code for p in people[:4]] == ["A", "B", "C", "A"]
    for p in people[:200]:
        year = int(p.birth[-4:])
        decoded = parse_personal_id(p.values["personal_id"], birth_year=year, gender=p.gender)
        assert decoded.province_code == "070"
    again = generate({"count": 5, "units": ["A"]}, NameSource(), 1)
    assert [p.full_name for p in again] == [p.full_name for p in people[:5]]  # deterministic
    assert personal_id(7, 2001, "female") == "070301000007"


def test_generated_names_are_distinct_words_with_diacritics_and_no_numerals() -> None:
    people = generate({"count": 2600, "units": ["A"]}, NameSource(), 1)
    names = [p.full_name for p in people]
    assert len(set(names)) == 2600
    assert not [n for n in names if any(ch.isdigit() for ch in n)]
    assert all(len(n.split()) == 3 for n in names)
    assert sum(1 for n in names if n.startswith("Nguyễn ")) > sum(1 for n in names if n.startswith("La "))
    assert sum(1 for n in names if any(ord(ch) > 127 for ch in n)) > 2000
    assert [p.full_name for p in generate({"count": 5, "units": ["A"]}, NameSource(seed=7), 1)] != names[:5]
    tiny = NameSource({"family": ["Lê"], "middle_male": ["Văn"], "middle_female": ["Thị"], "given_male": ["An", "Bảo"],
                       "given_female": ["Hoa"]})
    assert sorted([tiny.take("male"), tiny.take("male")]) == ["Lê Văn An", "Lê Văn Bảo"]
    with pytest.raises(NamePoolExhausted):
        tiny.take("male")


def test_class_code_patterns_name_the_classes_they_expand_to() -> None:
    assert expanded_from("CM-23-{n:02d}", "CM-23-07") and expanded_from("TC-23-{n}", "TC-23-1")
    assert not expanded_from("CM-23-{n:02d}", "CM-23-T") and not expanded_from("TC-23-{n}", "TC-24-1")
    assert not expanded_from("QP2-23", "QP2-23")  # a plain code is matched as it is, not as a pattern


def test_a_repeated_class_block_expands_with_its_own_numbers() -> None:
    specs = expand({"code": "TC-{n:02d}", "repeat": 3, "capacity": [60, 60, 50], "enrol": {"count": [52, 51, 51],
                    "from": {"units": ["X"]}}, "programme": "P", "institution": "I", "start": "+1d"})
    assert [(s["code"], s["capacity"], s["target"], s["enrol_count"], s["index"]) for s in specs] == [
        ("TC-01", 60, 52, 52, 0), ("TC-02", 60, 51, 51, 1), ("TC-03", 50, 50, 51, 2)]  # target ≤ capacity


def _state(api: Api) -> RunState:
    return RunState(api=api, doc={"name": "t", "year": 2025}, today=date(2026, 1, 1), console=Console(),
                    progress=Progress(), names=NameSource())


def test_pools_give_distinct_people_in_turn_and_wrap() -> None:
    st = _state(Api(SETTINGS, {}))
    from cli.scenario.people import Person

    st.people = [Person(f"p{i}", f"N{i}", "male", "1980", "A" if i % 2 else "B", "civil_servant", {})
                 for i in range(6)]
    st.officials = {p.key: Official(p.key, f"id{p.key}", p.full_name, p.unit_code) for p in st.people}
    first = st.take({"units": ["A"]}, 2)
    second = st.take({"units": ["A"]}, 2)
    assert [o.key for o in first] == ["p1", "p3"] and [o.key for o in second] == ["p5", "p1"]
    with pytest.raises(StepFailed, match="pool has only 3"):
        st.take({"units": ["A"]}, 4)
    with pytest.raises(StepFailed, match="no imported officials in units Z"):
        st.take({"units": ["Z"]}, 1)


def test_tokens_are_signed_with_the_stacks_settings() -> None:
    tokens = tokens_for(SETTINGS, {"btc": {"demo": "btc.nguyenvanhai"},
                                   "x": {"user_id": "u.x", "roles": ["examiner"], "units": ["*"], "unit": "DX"}})
    assert decode_token(SETTINGS, tokens["btc"], audience="registration").has_role("organization_board")
    assert decode_token(SETTINGS, tokens["x"], audience="selection").unit == "DX"
    assert reader_of({"gk": {"demo": "gk.vuthilan"}, "btc": {"demo": "btc.nguyenvanhai"}}) == "btc"


async def test_the_client_retries_gateway_errors_and_names_refusals() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/flaky" and len(calls) < 3:
            return httpx.Response(503)
        if request.url.path == "/busy" and calls.count("/busy") < 2:
            return httpx.Response(500, json={"code": "internal_error", "detail_en": "nothing was changed"})
        if request.url.path == "/broken":
            return httpx.Response(500, json={"code": "something_else"})
        if request.url.path == "/refused":
            return httpx.Response(422, json={"title": "Invalid", "detail_en": "capacity: too small",
                                             "detail_vi": "sức chứa quá nhỏ"})
        return httpx.Response(200, json={"ok": True, "auth": request.headers.get("authorization", "")})

    api = Api(SETTINGS, {"btc": "T0K"}, transport=httpx.MockTransport(handler))
    api.retries = 3
    try:
        assert (await api.get("scheduling", "/flaky", user="btc"))["auth"] == "Bearer T0K"
        assert calls.count("/flaky") == 3
        assert (await api.post("scheduling", "/busy", user="btc", json={}))["ok"] is True  # nothing was changed
        assert calls.count("/busy") == 2
        with pytest.raises(StepFailed, match="500"):
            await api.post("scheduling", "/broken", user="btc", json={})
        assert calls.count("/broken") == 1
        with pytest.raises(StepFailed, match=r"POST scheduling/refused as btc: 422 Invalid — capacity: too small"):
            await api.post("scheduling", "/refused", user="btc", json={})
    finally:
        await api.close()


async def test_wait_until_returns_the_value_or_times_out() -> None:
    seen: list[int] = []

    async def third_time() -> dict[str, Any] | None:
        seen.append(1)
        return {"done": True} if len(seen) >= 3 else None

    assert await wait_until(third_time, timeout=5, what="x", interval=0.01) == {"done": True}

    async def never() -> bool:
        return False

    with pytest.raises(StepFailed, match="timed out after 0 s waiting for the class"):
        await wait_until(never, timeout=0.05, what="the class", interval=0.01)


def test_figure_mismatches_ignore_labels_and_name_each_difference() -> None:
    expected = {"a": {"label_vi": "x", "n": 1, "sub": {"g1": 2}}, "b": {"fields": ["x", "y"]}}
    shown = {"a": {"label_vi": "other", "n": 1, "sub": {"g1": 3}}, "b": {"fields": ["y", "x"]}}
    assert figure_mismatches(expected, shown) == ["a.sub.g1: expected 2, the report shows 3",
                                                  "b.fields: expected ['x', 'y'], the report shows ['y', 'x']"]
    assert json.dumps(figure_mismatches(expected, expected)) == "[]"
