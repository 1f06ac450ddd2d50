"""Benchmark (not a test): the service's conflict scan (`services/registration/reports.conflicts`, what
`GET /conflicts` runs) against PostgreSQL COPY of the same rows into the same table, and its growth at 4× data.

    CADRE_TEST_PG_DSN=… .venv/bin/python -m bench.conflicts              # 3 M registrations, then 4×
    CADRE_TEST_PG_DSN=… .venv/bin/python -m bench.conflicts --scale 0.2   # a quick check: 600,000, then 4×

For each size it creates a scratch database with registration's own schema (its migrations: the same table,
indexes and constraints as the service), has PostgreSQL write the rows to a file, times `COPY registrations FROM
STDIN` of that file (fastest of --repeat; the table is emptied before each), vacuums and analyses the table, then
times the service's own scan — `reports.conflicts(session, year=…)` through an SQLAlchemy session on asyncpg, as
the route calls it, building the overlapping pairs and duplicate groups it returns — fastest of --repeat. It prints
scan/COPY (target ≤ 1.5 at full size, ≤ 2 at 4×) and the scan's time ratio between the 4× run and the first
(target ≤ 4.5), each also as a `RESULT` line (bench.result), and the client's peak memory.

Data: 2,000,000 × S people, 3,000,000 × S registrations for 2026 (about 1.5 a person, spread by `hashint8`), each
in one of 6,000 classes of 5–64 days over the year, one of 40 programmes; 1 in 17 refused. The person and the class
are drawn independently, so about a fifth of the active registrations overlap another of the same person and a
few per cent of the people hold two of one programme (until 2026-12-02 the generator drew both from one hash, so
that all of a person's registrations shared a programme: 41 % of the people were duplicates). No person is
registered twice in one class (the service refuses that: `active_key`).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from bench.result import emit, need

FIRST_TARGET, BIG_TARGET, GROWTH_TARGET = 1.5, 2.0, 4.5
PEOPLE = 2_000_000
REGISTRATIONS = 3_000_000
YEAR = 2026
COLUMNS = ("id, official_id, official_name, unit_code, programme_code, programme_category, plan_year, class_id, "
           "class_start, class_end, status, active_key, findings, policy_version, rule_date, rule_date_source, note, "
           "review_comment, decided_by, submitted_by, submitted_at, decided_at")
# person p and class c drawn independently (hashint8 equals hashint4 below 2^32: different inputs for each)
GEN_REGISTRATIONS = """COPY (
SELECT md5('r' || g)::uuid::text, md5('o' || p)::uuid::text, 'Nguyễn Văn ' || p, 'U' || (p % 900), 'P' || (c % 40),
    'chuyen_mon', {year}, 'C' || c, date '{year}-01-01' + (c % 300), date '{year}-01-01' + (c % 300) + 5 + (c % 60),
    CASE WHEN g % 17 = 0 THEN 'refused' ELSE 'accepted' END,
    CASE WHEN g % 17 = 0 THEN NULL ELSE md5('o' || p)::uuid::text || ':P' || (c % 40) || ':{year}:C' || c END,
    '[]', 'registration_checks:bench', date '{year}-01-02', 'submitted', '', '', NULL, 'bench',
    timestamptz '{year}-01-02 08:00+07', NULL
FROM (SELECT g, p, c, row_number() OVER (PARTITION BY p, c ORDER BY g) AS nth
      FROM (SELECT g, abs(hashint8(g)) % {people} + 1 AS p, abs(hashint4((g + 1000000007)::int)) % 6000 AS c
            FROM generate_series(1, {n}) g) d) s
WHERE nth = 1) TO STDOUT"""


@dataclass
class Run:
    """One size's figures."""

    registrations: int
    copy: float
    scan: float
    overlaps: int
    duplicates: int

    @property
    def ratio(self) -> float:
        return self.scan / self.copy


def admin_dsn() -> str:
    """The PostgreSQL to run in (CADRE_TEST_PG_DSN; `make bench` starts one and sets it)."""
    (dsn,) = need("CADRE_TEST_PG_DSN")
    return dsn


def _dump(conn: psycopg.Connection, sql: str, path: Path) -> int:
    rows = 0
    with path.open("wb") as out, conn.cursor() as cur, cur.copy(sql) as copy:
        for chunk in copy:
            out.write(chunk)
            rows += bytes(chunk).count(b"\n")
    return rows


def _load_once(conn: psycopg.Connection, path: Path) -> float:
    conn.execute("TRUNCATE registrations")
    conn.commit()
    started = time.perf_counter()
    with conn.cursor() as cur, cur.copy(f"COPY registrations ({COLUMNS}) FROM STDIN") as copy, \
            path.open("rb") as src:
        while chunk := src.read(1 << 20):
            copy.write(chunk)
    conn.commit()
    return time.perf_counter() - started


async def _scan(url: str) -> tuple[float, int, int]:
    """The service's scan, as GET /conflicts calls it: (seconds, overlapping pairs, duplicate groups)."""
    from services.registration.service import reports
    from shared.db import create_engine, session_factory

    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:  # a first connection, outside the clock
            await session.connection()
            started = time.perf_counter()
            found = await reports.conflicts(session, year=YEAR, today=date(YEAR, 6, 1))
            elapsed = time.perf_counter() - started
        return elapsed, len(found["overlaps"]), len(found["duplicates"])
    finally:
        await engine.dispose()


def run_size(admin: str, registrations: int, people: int, scratch: Path, repeat: int, keep: bool) -> Run:
    """A scratch database with registration's schema; time COPY of the rows, then the service's scan."""
    from shared.migrate import upgrade

    name = f"cadre_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = admin.rsplit("/", 1)[0] + f"/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        asyncio.run(upgrade("registration", url))
        with psycopg.connect(dsn) as conn:
            path = scratch / "registrations.copy"
            rows = _dump(conn, GEN_REGISTRATIONS.format(n=registrations, people=people, year=YEAR), path)
            copy = min(_load_once(conn, path) for _ in range(repeat))
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE registrations")
        scans = [asyncio.run(_scan(url)) for _ in range(repeat)]
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    scan, overlaps, duplicates = min(scans)
    return Run(rows, copy, scan, overlaps, duplicates)


def main() -> None:
    """Run the first size and 4× it; print the figures and the three ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 3 M registrations of 2 M people")
    parser.add_argument("--growth", type=int, default=4, help="the second run's size multiple")
    parser.add_argument("--repeat", type=int, default=3, help="take the fastest of N COPYs and of N scans")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    admin = admin_dsn()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, args.growth):
            n, people = int(REGISTRATIONS * args.scale * factor), int(PEOPLE * args.scale * factor)
            r = run_size(admin, n, people, Path(tmp), args.repeat, args.keep)
            runs.append(r)
            print(f"registrations={r.registrations:,} copy={r.copy:.2f}s scan={r.scan:.2f}s "
                  f"overlapping_pairs={r.overlaps:,} duplicate_groups={r.duplicates:,} scan/copy={r.ratio:.2f} "
                  f"client_rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}MiB", flush=True)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first, big = runs
    growth = big.scan / first.scan
    print(f"scan/COPY at the first size: {first.ratio:.2f} (target ≤ {FIRST_TARGET} at full size)")
    print(f"scan/COPY at {args.growth}× size: {big.ratio:.2f} (target ≤ {BIG_TARGET})")
    print(f"scan time {args.growth}× data / first: {growth:.2f} (target ≤ {GROWTH_TARGET})")
    print(f"client peak RSS: {rss_mib:.0f} MiB")
    full = args.scale >= 1.0
    size = f"{first.registrations:,} registrations"
    note = "service code (reports.conflicts)" + ("" if full else
                                                  f"; --scale {args.scale:g}: the targets apply at full size")
    emit(f"conflicts: service scan / COPY, {size}{'' if full else ' (quick size; target at full size)'}",
         baseline=f"COPY {first.copy:.2f} s", ours=f"scan {first.scan:.2f} s", ratio=first.ratio,
         target=f"≤ {FIRST_TARGET}", met=first.ratio <= FIRST_TARGET, note=note)
    emit(f"conflicts: service scan / COPY at {args.growth}× ({big.registrations:,} registrations)",
         baseline=f"COPY {big.copy:.2f} s", ours=f"scan {big.scan:.2f} s", ratio=big.ratio,
         target=f"≤ {BIG_TARGET}", met=big.ratio <= BIG_TARGET, note=note)
    emit(f"conflicts: scan time at {args.growth}× data / first", baseline=f"{first.scan:.2f} s",
         ours=f"{big.scan:.2f} s", ratio=growth, target=f"≤ {GROWTH_TARGET}", met=growth <= GROWTH_TARGET, note=note)


if __name__ == "__main__":
    main()
