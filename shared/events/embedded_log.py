"""The embedded profile's event log: a local SQLite file with topics, partitions by key, offsets
and consumer-group commits — Kafka's contract on a laptop with only Python."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
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
    """One consumer group's reader over the embedded log (one reader per group in this profile)."""

    def __init__(self, log: EmbeddedLog, *, group: str, topics: list[str]) -> None:
        self.log = log
        self.group = group
        self.topics = topics
        self._positions: dict[tuple[str, int], int] | None = None

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
        got = await asyncio.to_thread(self._poll_sync, max_records)
        if not got and timeout > 0:
            await asyncio.sleep(min(timeout, 0.05))
        return got

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
