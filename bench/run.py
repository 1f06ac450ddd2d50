"""Every benchmark of bench/, one after the other, each in its own process, and one table of their figures.

    python -m bench.run [--full] [--only NAME ...]        (`make bench` starts the infrastructure and calls this)

Each benchmark prints `RESULT {json}` lines (bench.result); this collects them into one table — figure, baseline,
ours, ratio, target, met — under a header with the date, the lock file's hash, the key versions and the machine,
prints it and writes it as markdown to var/bench/<date>.md (to paste into docs/performance.md). Logs of each
benchmark go to var/bench/<date>/<name>.log. Quick sizes finish in about 15 minutes on 2 cores; `--full` runs the
sizes the targets are set at (see SIZES). Exit status: 0 when every benchmark ran (met or not), 1 if one crashed,
timed out or printed no result.

The infrastructure comes from the environment (CADRE_TEST_PG_DSN, CADRE_TEST_KAFKA, CADRE_TEST_TEMPORAL).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.result import INFRA, PREFIX, tool

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "uv.lock"
PACKAGES = ("temporalio", "sqlalchemy", "fastapi", "kafka-python", "asyncpg")


@dataclass(frozen=True)
class Bench:
    """One benchmark: its module and its arguments at the quick and the full size."""

    name: str
    module: str
    quick: list[str]
    full: list[str]
    needs: tuple[str, ...] = ()
    optional: bool = False  # another branch brings it; "not available" until then


SIZES = [
    Bench("events", "bench.events", ["--n", "20000"], ["--n", "40000"], ("CADRE_TEST_PG_DSN", "CADRE_TEST_KAFKA")),
    Bench("tasks-pg", "bench.tasks", ["--pg", "--n", "100000", "--requests", "200"],
          ["--pg", "--n", "100000", "--requests", "300"], ("CADRE_TEST_PG_DSN",)),
    Bench("tasks-sqlite", "bench.tasks", ["--n", "100000", "--requests", "200"],
          ["--n", "100000", "--requests", "300"]),
    Bench("conflicts", "bench.conflicts", ["--scale", "0.1", "--repeat", "1"], ["--scale", "1", "--repeat", "2"],
          ("CADRE_TEST_PG_DSN",)),
    Bench("campaign", "bench.campaign", ["--n", "100"], ["--n", "500"], ("CADRE_TEST_PG_DSN", "CADRE_TEST_TEMPORAL")),
    Bench("idle", "bench.idle", [], [], optional=True),
]


@dataclass
class Outcome:
    """What one benchmark gave."""

    bench: Bench
    rows: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ok"  # ok | crashed | not available
    detail: str = ""
    seconds: float = 0.0


def run_one(bench: Bench, args: list[str], log: Path, timeout: float) -> Outcome:
    """Run one benchmark in its own process (its own session, so a timeout ends all it started)."""
    out = Outcome(bench)
    if bench.optional and importlib.util.find_spec(bench.module) is None:
        out.status, out.detail = "not available", f"{bench.module} does not exist yet"
        return out
    missing = [n for n in bench.needs if not os.environ.get(n)]
    if missing:
        out.status, out.detail = "crashed", f"not set: {', '.join(missing)}"
        return out
    cmd = [sys.executable, "-m", bench.module, *args]
    print(f"[bench.run {time.strftime('%H:%M:%S')}] {bench.name}: {' '.join(cmd[1:])}  (log {_rel(log)})",
          flush=True)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(cmd)}\n")
        sink.flush()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=sink, text=True, encoding="utf-8",
                                start_new_session=True)
        assert proc.stdout is not None
        try:
            deadline = started + timeout
            for line in proc.stdout:
                sink.write(line)
                sink.flush()
                if line.startswith(PREFIX):
                    out.rows.append(_parse(line, out))
                    print(f"    {line.rstrip()}", flush=True)
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(cmd, timeout)
            rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _stop(proc)
            out.status, out.detail = "crashed", f"timed out after {timeout:.0f} s"
            rc = None
    out.seconds = time.monotonic() - started
    if rc is not None and rc != 0:
        out.status, out.detail = "crashed", f"exit status {rc}"
    elif rc == 0 and not out.rows:
        out.status, out.detail = "crashed", "printed no RESULT line"
    print(f"[bench.run {time.strftime('%H:%M:%S')}] {bench.name}: {out.status} in {out.seconds:.0f} s "
          f"{out.detail}".rstrip(), flush=True)
    return out


def _parse(line: str, out: Outcome) -> dict[str, Any]:
    try:
        row: dict[str, Any] = json.loads(line[len(PREFIX):])
    except ValueError:
        return {"figure": f"{out.bench.name}: unreadable RESULT line", "met": False}
    return row


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the benchmark's process group, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- the header


def lock_hash() -> str:
    """sha256 of the lock file the environment was installed from, or "no lock"."""
    if not LOCK.exists():
        return "no lock"
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()


def versions() -> dict[str, str]:
    """The versions that decide the figures: Python, the key packages, and the servers."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["PostgreSQL"] = _postgres_version()
    kafka_sh = ["bash", str(ROOT / "deploy/local/kafka.sh"), "version"]
    found["Kafka"] = os.environ.get("CADRE_BENCH_KAFKA_VERSION") or _command(kafka_sh)
    found["Temporal CLI"] = _command([tool("temporal"), "--version"]).removeprefix("temporal version ")
    return found


def _postgres_version() -> str:
    dsn = os.environ.get("CADRE_TEST_PG_DSN")
    if not dsn:
        return "unknown (CADRE_TEST_PG_DSN not set)"
    try:
        import psycopg

        with psycopg.connect(dsn, connect_timeout=10) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"
    except Exception as error:
        return f"unknown ({type(error).__name__})"


def _command(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError, SystemExit):
        return "unknown"


def machine() -> str:
    """Cores (usable / installed), total memory and the load average."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return f"nproc {usable} (of {os.cpu_count()}), memory {mem}, load average {load} (1 / 5 / 15 min)"


# ---------------------------------------------------------------- the table


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(outcomes: list[Outcome]) -> list[str]:
    """The markdown rows: one per RESULT line, or one per benchmark that gave none."""
    lines = ["| figure | baseline | ours | ratio | target | met |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        for row in o.rows:
            met = "yes" if row.get("met") else "**no**"
            figure = _cell(row.get("figure", o.bench.name))
            if row.get("note"):
                figure += f" ({_cell(row['note'])})"
            ratio = row.get("ratio")
            lines.append(f"| {figure} | {_cell(row.get('baseline'))} | {_cell(row.get('ours'))} | "
                         f"{_cell(float(ratio)) if isinstance(ratio, int | float) else _cell(ratio)} | "
                         f"{_cell(row.get('target'))} | {met} |")
        if o.status == "not available":
            lines.append(f"| {o.bench.name} | — | — | — | — | not available ({o.detail}) |")
        elif o.status == "crashed":
            lines.append(f"| {o.bench.name} | — | — | — | — | **CRASHED** ({o.detail}) |")
    return lines


def report(outcomes: list[Outcome], *, full: bool, started: datetime, header: list[str], logs: Path) -> str:
    took = ", ".join(f"{o.bench.name} {o.seconds:.0f} s" for o in outcomes if o.status != "not available")
    total = sum(o.seconds for o in outcomes)
    return "\n".join([
        f"## make bench{' --full' if full else ''} — {started:%Y-%m-%d %H:%M} UTC",
        "",
        *header,
        "",
        *table(outcomes),
        "",
        f"Time per benchmark: {took}; total {total / 60:.1f} min. Logs: `{_rel(logs)}/`. "
        f"Sizes: {'full' if full else 'quick (`make bench FULL=1` or `scripts/bench.sh --full` for full sizes)'}.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the sizes the targets are set at (much longer)")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=[b.name for b in SIZES],
                        help="run only these benchmarks")
    parser.add_argument("--timeout", type=float, help="seconds per benchmark (default 1800 quick, 10800 full)")
    args = parser.parse_args()
    missing = [n for n in INFRA if not os.environ.get(n)]
    if missing:
        print(f"bench.run: not set: {', '.join(missing)} — run `make bench`, which starts PostgreSQL, Kafka and "
              "Temporal and sets them", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    stamp = started.strftime("%Y-%m-%dT%H%M%SZ")
    out_dir = ROOT / "var" / "bench"
    logs = out_dir / stamp
    logs.mkdir(parents=True, exist_ok=True)
    ver = versions()
    header = [
        f"- date (UTC): {started:%Y-%m-%d %H:%M:%S}",
        f"- lock: `uv.lock` sha256 {lock_hash()}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in ver.items()),
        f"- machine: {machine()}",
    ]
    print("\n".join(header), flush=True)
    timeout = args.timeout or (10800.0 if args.full else 1800.0)
    chosen = [b for b in SIZES if not args.only or b.name in args.only]
    outcomes = [run_one(b, b.full if args.full else b.quick, logs / f"{b.name}.log", timeout) for b in chosen]
    header[-1] += f"; at the end: load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    text = report(outcomes, full=args.full, started=started, header=header, logs=logs)
    path = out_dir / f"{stamp}.md"
    path.write_text(text, encoding="utf-8")
    print("\n" + "=" * 100 + "\n" + text + "=" * 100, flush=True)
    print(f"written to {_rel(path)}", flush=True)
    return 1 if any(o.status == "crashed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
