"""Seats of a class: capacity, the waitlist in order of arrival, offers with an acceptance deadline.

A seat is held by an ``enrolled`` participant or by an ``offered`` one (promoted from the waitlist and not
yet accepted). When a seat frees, the first waiting person (lowest arrival number) is offered it, with an
acceptance deadline; an offer not accepted in time expires and the seat goes to the next in line.
Every operation returns the list of status changes so the caller can persist and publish them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

ENROLLED = "enrolled"
WAITLISTED = "waitlisted"
OFFERED = "offered"
WITHDRAWN = "withdrawn"
DECLINED = "declined"
EXPIRED = "expired"
CANCELLED = "cancelled"
SEAT_HOLDING = frozenset({ENROLLED, OFFERED})
ACTIVE = frozenset({ENROLLED, OFFERED, WAITLISTED})


class RosterError(ValueError):
    """An operation the roster's rules refuse (unknown entry, wrong status, offer expired)."""

    def __init__(self, code: str, en: str, vi: str) -> None:
        super().__init__(en)
        self.code, self.en, self.vi = code, en, vi


@dataclass
class Entry:
    """One person's place in a class: arrival number, status and (when offered) the offer's deadline."""

    entry_id: str
    seq: int
    status: str
    offer_expires_at: datetime | None = None


@dataclass(frozen=True)
class Change:
    """A status change the roster made."""

    entry_id: str
    old: str | None
    new: str
    offer_expires_at: datetime | None = None


@dataclass
class Roster:
    """The seats of one class; invariant: seat holders never exceed capacity."""

    capacity: int
    offer_window: timedelta = timedelta(days=3)
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def of(cls, capacity: int, entries: Iterable[Entry], offer_window: timedelta = timedelta(days=3)) -> Roster:
        """A roster from stored entries."""
        return cls(capacity, offer_window, {e.entry_id: e for e in entries})

    def held(self) -> int:
        """Seats held (enrolled + offered)."""
        return sum(1 for e in self.entries.values() if e.status in SEAT_HOLDING)

    def waitlist(self) -> list[Entry]:
        """Waiting entries in order of arrival."""
        return sorted((e for e in self.entries.values() if e.status == WAITLISTED), key=lambda e: e.seq)

    def next_seq(self) -> int:
        """The arrival number the next entry gets."""
        return max((e.seq for e in self.entries.values()), default=0) + 1

    def _set(self, entry: Entry, new: str, expires: datetime | None = None) -> Change:
        old = entry.status
        entry.status, entry.offer_expires_at = new, expires
        return Change(entry.entry_id, old, new, expires)

    def _get(self, entry_id: str) -> Entry:
        entry = self.entries.get(entry_id)
        if entry is None:
            raise RosterError("unknown_enrolment", f"No enrolment {entry_id} in this class",
                              f"Không có ghi danh {entry_id} trong lớp này")
        return entry

    def add(self, entry_id: str, now: datetime) -> list[Change]:
        """A new arrival: a free seat if nobody waits ahead, else the end of the waitlist."""
        if entry_id in self.entries and self.entries[entry_id].status in ACTIVE:
            raise RosterError("already_enrolled", "This person is already in this class",
                              "Người này đã có trong lớp")
        seq = self.next_seq()
        seat_free = self.held() < self.capacity and not self.waitlist()
        self.entries[entry_id] = Entry(entry_id, seq, ENROLLED if seat_free else WAITLISTED)
        if seat_free:
            return [Change(entry_id, None, ENROLLED)]
        return [Change(entry_id, None, WAITLISTED), *self.promote(now)]

    def promote(self, now: datetime) -> list[Change]:
        """Offer free seats to the waitlist, first come first served."""
        changes = []
        for entry in self.waitlist():
            if self.held() >= self.capacity:
                break
            changes.append(self._set(entry, OFFERED, now + self.offer_window))
        return changes

    def expire(self, now: datetime) -> list[Change]:
        """Expire offers past their deadline and pass the seats on."""
        changes = [self._set(e, EXPIRED) for e in list(self.entries.values())
                   if e.status == OFFERED and e.offer_expires_at is not None and e.offer_expires_at <= now]
        return changes + self.promote(now) if changes else changes

    def withdraw(self, entry_id: str, now: datetime) -> list[Change]:
        """A participant leaves (enrolled, offered or waiting); a freed seat goes to the next in line."""
        entry = self._get(entry_id)
        if entry.status not in ACTIVE:
            raise RosterError("not_active", "This enrolment is not active", "Ghi danh này không còn hiệu lực")
        return [self._set(entry, WITHDRAWN), *self.promote(now)]

    def accept(self, entry_id: str, now: datetime) -> list[Change]:
        """An offered person takes the seat before the deadline."""
        entry = self._get(entry_id)
        if entry.status != OFFERED:
            raise RosterError("not_offered", "No seat is offered to this person",
                              "Không có chỗ nào đang dành cho người này")
        if entry.offer_expires_at is not None and entry.offer_expires_at <= now:
            return self.expire(now)
        return [self._set(entry, ENROLLED)]

    def decline(self, entry_id: str, now: datetime) -> list[Change]:
        """An offered person refuses the seat; it goes to the next in line."""
        entry = self._get(entry_id)
        if entry.status != OFFERED:
            raise RosterError("not_offered", "No seat is offered to this person",
                              "Không có chỗ nào đang dành cho người này")
        return [self._set(entry, DECLINED), *self.promote(now)]
