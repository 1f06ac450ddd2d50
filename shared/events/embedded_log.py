"""The embedded profile's event log: a local SQLite file with topics, partitions by key, offsets
and consumer-group commits — Kafka's contract on a laptop with only Python."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from shared.events.transport import OutgoingMessage, ReceivedMessage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
  key TEXT, value BLOB NOT NULL, headers TEXT NOT NULL, ts REAL NOT NULL,
  PRIMARY KEY (topic, partition, "offset"));
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition));
"""

_MAX_OFFSET = 'SELECT COALESCE(MAX("offset"), -1) FROM messages WHERE topic=? AND partition=?'


def partition_for(key: str, partitions: int) -> int:
    """Same key, same partition: one aggregate's events stay in order."""
    return zlib.crc32(key.encode("utf-8")) % partitions


class EmbeddedLog:
    """A SQLite-backed append-only log shared by every process of the embedded profile."""

    def __init__(self, path: Path, partitions: int = 3) -> None:
        self.path = path
        self.default_partitions = partitions
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    def partitions_of(self, topic: str) -> int:
        """How many partitions a topic has (created on first use)."""
        with self._lock:
            db = self._db()
            row = db.execute("SELECT partitions FROM topics WHERE name=?", (topic,)).fetchone()
            if row:
                return int(row[0])
            db.execute("INSERT OR IGNORE INTO topics VALUES (?, ?)", (topic, self.default_partitions))
            row = db.execute("SELECT partitions FROM topics WHERE name=?", (topic,)).fetchone()
            return int(row[0])

    def append(self, messages: Sequence[OutgoingMessage]) -> None:
        """Append messages atomically, each to its key's partition."""
        parts = {m.topic: self.partitions_of(m.topic) for m in messages}
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                next_offset: dict[tuple[str, int], int] = {}
                for m in messages:
                    p = partition_for(m.key, parts[m.topic])
                    tp = (m.topic, p)
                    if tp not in next_offset:
                        row = db.execute(_MAX_OFFSET, tp).fetchone()
                        next_offset[tp] = int(row[0]) + 1
                    db.execute("INSERT INTO messages VALUES (?,?,?,?,?,?,strftime('%s','now'))",
                               (m.topic, p, next_offset[tp], m.key, m.value, json.dumps(m.headers)))
                    next_offset[tp] += 1
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """A group's committed next offsets for a topic."""
        n = self.partitions_of(topic)
        with self._lock:
            rows = self._db().execute(
                "SELECT partition, next_offset FROM group_offsets WHERE group_id=? AND topic=?", (group, topic)
            ).fetchall()
        got = {int(p): int(o) for p, o in rows}
        return {p: got.get(p, 0) for p in range(n)}

    def read(self, topic: str, partition: int, from_offset: int, limit: int) -> list[ReceivedMessage]:
        """Messages of one partition from an offset."""
        with self._lock:
            rows = self._db().execute(
                'SELECT "offset", key, value, headers FROM messages WHERE topic=? AND partition=? AND "offset">=? '
                'ORDER BY "offset" LIMIT ?', (topic, partition, from_offset, limit)).fetchall()
        return [ReceivedMessage(topic, partition, int(o), k, bytes(v), json.loads(h)) for o, k, v, h in rows]

    def end_offset(self, topic: str, partition: int) -> int:
        """The offset the next appended message of a partition will get."""
        with self._lock:
            row = self._db().execute(_MAX_OFFSET, (topic, partition)).fetchone()
        return int(row[0]) + 1

    def commit(self, group: str, positions: Mapping[tuple[str, int], int]) -> None:
        """Store a group's next offsets."""
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            for (topic, p), off in positions.items():
                db.execute("INSERT INTO group_offsets VALUES (?,?,?,?) ON CONFLICT(group_id, topic, partition) "
                           "DO UPDATE SET next_offset=excluded.next_offset", (group, topic, p, off))
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def signature(self) -> tuple[tuple[int, int, int], ...]:
        """What the log's files look like now (inode, size, mtime of the database and its WAL): it changes whenever
        any process commits to the log. A stat, no query and no thread: cheap enough to look every few milliseconds.
        (Two commits within one tick of the file system's clock may leave it unchanged: readers still look on their
        own now and then.)"""
        out = []
        for path in (self.path, self.wal_path):
            try:
                st = os.stat(path)
                out.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except OSError:
                out.append((0, 0, 0))
        return tuple(out)

    @property
    def wal_path(self) -> Path:
        return self.path.with_name(self.path.name + "-wal")


Signature = tuple[tuple[int, int, int], ...]


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class _Inotify:
    """Linux inotify on a few files, through libc (no dependency): a readable descriptor whenever one is written,
    by any process. None of it elsewhere (open() raises OSError), where the watch polls with stat instead."""

    IN_MODIFY, IN_ATTRIB, IN_MOVE_SELF, IN_DELETE_SELF, IN_IGNORED = 0x2, 0x4, 0x800, 0x400, 0x8000
    IN_NONBLOCK, IN_CLOEXEC = 0o4000, 0o2000000

    def __init__(self, paths: Sequence[Path]) -> None:
        import ctypes
        import ctypes.util

        if not sys.platform.startswith("linux"):
            raise OSError("inotify is Linux only")
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.fd = libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        mask = self.IN_MODIFY | self.IN_ATTRIB | self.IN_MOVE_SELF | self.IN_DELETE_SELF
        for path in paths:
            if libc.inotify_add_watch(self.fd, os.fsencode(path), mask) < 0:
                errno = ctypes.get_errno()
                os.close(self.fd)
                raise OSError(errno, f"inotify_add_watch {path}")

    def drain(self) -> bool:
        """Consume the pending events; False once a watched file went away (the watch must be renewed)."""
        intact = True
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return intact
            if not data:
                return intact
            offset = 0
            while offset + 16 <= len(data):  # struct inotify_event: wd, mask, cookie, len, name[len]
                mask = int.from_bytes(data[offset + 4:offset + 8], sys.byteorder)
                if mask & (self.IN_DELETE_SELF | self.IN_MOVE_SELF | self.IN_IGNORED):
                    intact = False
                offset += 16 + int.from_bytes(data[offset + 12:offset + 16], sys.byteorder)

    def close(self) -> None:
        os.close(self.fd)


class _Watch:
    """Tells the process's consumer groups when the log changed, however many of them wait, without waking the
    process while nothing changes: inotify where there is one (Linux); elsewhere a stat of the log's files every
    `check_seconds` while someone waits. `version` goes up at each change."""

    def __init__(self, log: EmbeddedLog, check_seconds: float) -> None:
        self.log = log
        self.check_seconds = check_seconds
        self.loop = asyncio.get_running_loop()
        self.signature = log.signature()
        self.version = 0
        self.waiters: set[asyncio.Future[None]] = set()
        self.task: asyncio.Task[None] | None = None
        self.broken = False
        self.notify: _Inotify | None = None
        try:
            self.notify = _Inotify([log.path, log.wal_path])
        except (OSError, AttributeError):
            self.notify = None
        if self.notify is not None:
            self.loop.add_reader(self.notify.fd, self._notified)

    def _notified(self) -> None:
        assert self.notify is not None
        if not self.notify.drain():
            self.broken = True  # the WAL went away (every connection closed): the next wait builds a new watch
            self.loop.remove_reader(self.notify.fd)
            self.notify.close()
            self.notify = None
        # the WAL's pages are written a moment before the index that makes the commit visible (shared memory, which
        # inotify does not see): tell the readers a little later, and they look once more soon after (poll)
        self.loop.call_later(0.002, self._changed)

    def _changed(self) -> None:
        self.version += 1
        for fut in list(self.waiters):
            _resolve(fut)

    def current(self) -> int:
        """The version now (when polling and no ticker runs, after a stat)."""
        if self.notify is None and (self.task is None or self.task.done()):
            now = self.log.signature()
            if now != self.signature:
                self.signature = now
                self.version += 1
        return self.version

    async def changed(self, seen: int, timeout: float) -> None:
        """Return once the version differs from `seen`, or after `timeout` seconds."""
        if self.current() != seen:
            return
        if self.notify is None and (self.task is None or self.task.done()):
            self.task = self.loop.create_task(self._tick())
        fut = self.loop.create_future()
        self.waiters.add(fut)
        timer = self.loop.call_later(timeout, _resolve, fut)
        try:
            await fut
        finally:
            timer.cancel()
            self.waiters.discard(fut)

    async def _tick(self) -> None:
        while self.waiters:
            await asyncio.sleep(self.check_seconds)
            now = self.log.signature()
            if now != self.signature:
                self.signature = now
                self._changed()


_WATCHES: dict[tuple[str, float], _Watch] = {}


def _watch(log: EmbeddedLog, check_seconds: float) -> _Watch:
    key = (str(log.path), check_seconds)
    watch = _WATCHES.get(key)
    if watch is None or watch.broken or watch.loop is not asyncio.get_running_loop() or watch.loop.is_closed():
        if watch is not None and watch.notify is not None and watch.loop.is_closed():  # its loop has ended
            watch.notify.close()
        watch = _WATCHES[key] = _Watch(log, check_seconds)
    return watch


class EmbeddedSink:
    """Publishes to the embedded log."""

    def __init__(self, log: EmbeddedLog) -> None:
        self.log = log

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        if messages:
            await asyncio.to_thread(self.log.append, messages)

    async def ping(self) -> bool:
        try:
            await asyncio.to_thread(self.log.partitions_of, "cadre.health.v1")
            return True
        except sqlite3.Error:
            return False

    async def close(self) -> None:
        self.log.close()


class EmbeddedSource:
    """One consumer group's reader over the embedded log (one reader per group in this profile).

    Its poll is a long poll: it reads the log when the log's files changed (inotify, or a stat every
    `check_seconds` where there is none, see EmbeddedLog.signature), and otherwise only every so often, backing off
    exponentially from `check_seconds` to `max_idle_seconds` (`notified_idle_seconds` while inotify tells it of
    every write, so that look is only a safety net) while the log stays unchanged: an idle consumer costs a look
    now and then."""

    def __init__(self, log: EmbeddedLog, *, group: str, topics: list[str], check_seconds: float = 0.05,
                 max_idle_seconds: float = 2.0, notified_idle_seconds: float = 10.0,
                 idle_poll_seconds: float = 10.0) -> None:
        self.log = log
        self.group = group
        self.topics = topics
        self.check_seconds = check_seconds
        self.max_idle_seconds = max_idle_seconds
        self.notified_idle_seconds = max(max_idle_seconds, notified_idle_seconds)
        self._positions: dict[tuple[str, int], int] | None = None
        self._seen: int | None = None  # the watch's version at the last read
        self._idle = 0.0
        self._next_read = 0.0
        self.reads = 0  # how many times it queried the log (for tests and diagnosis)
        # how long a consumer's poll may wait here when idle: a write wakes the wait at once (inotify, or the stat
        # every check_seconds), and a consumer gives the wait up when its process stops (Consumer.run)
        self.idle_poll_seconds = idle_poll_seconds

    def _load(self) -> dict[tuple[str, int], int]:
        if self._positions is None:
            self._positions = {(t, p): o for t in self.topics for p, o in self.log.committed(self.group, t).items()}
        return self._positions

    def _poll_sync(self, max_records: int) -> list[ReceivedMessage]:
        positions = self._load()
        out: list[ReceivedMessage] = []
        for (topic, p), off in positions.items():
            got = self.log.read(topic, p, off, max_records - len(out))
            if got:
                positions[(topic, p)] = got[-1].offset + 1
                out.extend(got)
            if len(out) >= max_records:
                break
        return out

    async def poll(self, *, timeout: float, max_records: int) -> list[ReceivedMessage]:
        deadline = time.monotonic() + timeout
        while True:
            # the first look reads at once (that opens the log's files, which the watch then follows)
            watch = _watch(self.log, self.check_seconds) if self._seen is not None else None
            seen = watch.current() if watch is not None else -1
            if watch is None or seen != self._seen or time.monotonic() >= self._next_read:
                changed = watch is not None and seen != self._seen
                self._seen = seen  # taken before reading: a commit during the read changes it again
                self.reads += 1
                got = await asyncio.to_thread(self._poll_sync, max_records)
                if got:
                    self._idle = 0.0
                    return got
                # after a change that showed nothing (yet: its commit may still be on its way), look again soon
                cap = self.notified_idle_seconds if watch is not None and watch.notify is not None \
                    else self.max_idle_seconds
                self._idle = self.check_seconds if changed else min(cap, max(self.check_seconds, self._idle * 2))
                self._next_read = time.monotonic() + self._idle
            now = time.monotonic()
            if now >= deadline:
                return []
            if watch is None:  # the first read found nothing: from now on, wait for the log to change
                watch = _watch(self.log, self.check_seconds)
                seen = self._seen = watch.current()
            await watch.changed(seen, min(deadline, self._next_read) - now)

    async def commit(self, positions: Mapping[tuple[str, int], int]) -> None:
        await asyncio.to_thread(self.log.commit, self.group, positions)

    def _lag_sync(self) -> dict[tuple[str, int], int]:
        out = {}
        for t in self.topics:
            for p, committed in self.log.committed(self.group, t).items():
                out[(t, p)] = max(0, self.log.end_offset(t, p) - committed)
        return out

    async def lag(self) -> dict[tuple[str, int], int]:
        return await asyncio.to_thread(self._lag_sync)

    async def close(self) -> None:
        self.log.close()
