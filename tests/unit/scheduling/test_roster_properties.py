"""Property tests: a class is never over capacity and the waitlist is promoted in order of arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.scheduling.domain.roster import ENROLLED, OFFERED, WAITLISTED, Roster, RosterError

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ops = st.lists(st.tuples(st.sampled_from(["enrol", "withdraw", "accept", "decline", "tick"]),
                         st.integers(min_value=0, max_value=14)), max_size=80)


def _check(r: Roster) -> None:
    assert r.held() <= r.capacity
    waiting = r.waitlist()
    if waiting:
        assert r.held() == r.capacity, "nobody waits while a seat is free"
    held_seqs = [e.seq for e in r.entries.values() if e.status in (ENROLLED, OFFERED)]
    assert len(held_seqs) == r.held()


@settings(max_examples=300, deadline=None)
@given(capacity=st.integers(min_value=0, max_value=6), steps=ops)
def test_never_over_capacity_and_waitlist_promoted_in_order(capacity: int, steps: list[tuple[str, int]]) -> None:
    r = Roster(capacity, timedelta(days=3))
    now = T0
    for op, who in steps:
        pid = f"p{who}"
        before_wait = [e.entry_id for e in r.waitlist()]
        try:
            if op == "enrol":
                changes = r.add(pid, now)
            elif op == "withdraw":
                changes = r.withdraw(pid, now)
            elif op == "accept":
                changes = r.accept(pid, now)
            elif op == "decline":
                changes = r.decline(pid, now)
            else:
                now += timedelta(days=who % 5)
                changes = r.expire(now)
        except RosterError:
            _check(r)
            continue
        promoted = [c.entry_id for c in changes if c.old == WAITLISTED and c.new == OFFERED]
        # promotions take the head of the waitlist as it stood, in order
        assert promoted == before_wait[:len(promoted)]
        for c in changes:
            if c.new == OFFERED:
                assert c.offer_expires_at == now + timedelta(days=3)
        _check(r)


def test_offer_expires_and_passes_to_next() -> None:
    r = Roster(1, timedelta(days=2))
    assert [c.new for c in r.add("a", T0)] == [ENROLLED]
    assert [c.new for c in r.add("b", T0)] == [WAITLISTED]
    r.add("c", T0)
    changes = r.withdraw("a", T0)
    assert [(c.entry_id, c.new) for c in changes] == [("a", "withdrawn"), ("b", OFFERED)]
    late = T0 + timedelta(days=2)
    assert [(c.entry_id, c.new) for c in r.accept("b", late)] == [("b", "expired"), ("c", OFFERED)]
    assert [(c.entry_id, c.new) for c in r.accept("c", late)] == [("c", ENROLLED)]


def test_enrolling_twice_is_refused() -> None:
    r = Roster(2)
    r.add("a", T0)
    with pytest.raises(RosterError) as err:
        r.add("a", T0)
    assert err.value.code == "already_enrolled"


def test_rejoining_after_withdrawal_goes_to_the_back() -> None:
    r = Roster(1)
    r.add("a", T0)
    r.add("b", T0)
    r.withdraw("b", T0)
    r.add("c", T0)
    r.add("b", T0)
    assert [e.entry_id for e in r.waitlist()] == ["c", "b"]
