"""Idle-stack benchmark (not a test): how much CPU `cadre up` costs when nothing is happening.

Starts a fresh `cadre up` (embedded profile) in a temporary data directory on free ports, plays
`scenarios/dong-phu-2025.yaml` (or `cadre demo` with --full), waits until every outbox is drained and then
for the stack to settle, and measures the CPU (utime + stime, /proc) of the whole process tree — the supervisor,
every service process and the Temporal dev server — over a window of idleness. Prints where the CPU goes, per
process, then one line `RESULT {json}` for bench/run.py. The stack is stopped whatever happens.

    .venv/bin/python -m bench.idle            # quick: the Đồng Phú 2025 scenario (~40 s), then 10 s + 30 s
    .venv/bin/python -m bench.idle --full     # `cadre demo` (~3.5 min) first
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.ports import loopback_port

ROOT = Path(__file__).resolve().parents[1]
QUICK = ROOT / "scenarios" / "dong-phu-2025.yaml"
PROCESSES = ("portal", "registration", "scheduling", "selection", "workflows")
TARGET = 0.03
BASELINE = "0.45 (before)"  # this benchmark on the development machine before relays and consumers slept when idle
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    name: str
    cpu: float  # seconds of utime + stime so far


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, cpu seconds) of a live process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def _label(pid: int) -> str:
    """A short name for a process of the stack, from its command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return f"pid {pid}"
    args = [a.decode(errors="replace") for a in argv if a]
    if "serve" in args and args.index("serve") + 1 < len(args):
        return args[args.index("serve") + 1]
    if args and "up" in args:
        return "cadre up (supervisor)"
    if args and Path(args[0]).name == "temporal":
        return "temporal dev server"
    return Path(args[0]).name if args else f"pid {pid}"


def tree(root: int) -> dict[int, Proc]:
    """The root process and all its descendants now."""
    parents: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            got = _stat(int(entry))
            if got is not None:
                parents[int(entry)] = got
    keep, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (ppid, _) in parents.items():
            if ppid == pid and child not in keep:
                keep.add(child)
                frontier.append(child)
    return {pid: Proc(pid, parents[pid][0], _label(pid), parents[pid][1]) for pid in keep if pid in parents}


def measure(root: int, seconds: float) -> tuple[float, dict[str, float], float]:
    """CPU cores used by the tree over `seconds`: (total, per process label, wall time measured)."""
    before = tree(root)
    t0 = time.monotonic()
    time.sleep(seconds)
    after = tree(root)
    wall = time.monotonic() - t0
    per: dict[str, float] = {}
    for pid, p in after.items():
        used = p.cpu - (before[pid].cpu if pid in before else 0.0)
        per[p.name] = per.get(p.name, 0.0) + used / wall
    return sum(per.values()), per, wall


def _metric_sum(text: str, name: str) -> float:
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? ([0-9.eE+-]+)$", text, re.M))


def wait_ready(ports: dict[str, int], up: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    pending = set(ports)
    while pending:
        if up.poll() is not None:
            raise SystemExit(f"`cadre up` exited ({up.returncode}); see {log}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"not ready within {timeout:.0f} s: {', '.join(sorted(pending))}; see {log}")
        for name in list(pending):
            try:
                if httpx.get(f"http://127.0.0.1:{ports[name]}/readyz", timeout=2).status_code == 200:
                    pending.discard(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.5)


def wait_drained(ports: dict[str, int], timeout: float = 120) -> float:
    """Wait until no outbox holds an unpublished row and no consumer group lags; returns the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        busy = 0.0
        for port in ports.values():
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            except httpx.HTTPError:
                busy += 1
                continue
            busy += _metric_sum(text, "cadre_outbox_pending") + _metric_sum(text, "cadre_consumer_lag")
        if busy == 0:
            return time.monotonic() - t0
        time.sleep(1)
    return time.monotonic() - t0


def stop(up: subprocess.Popen[bytes], known: set[int], timeout: float = 60) -> None:
    """SIGINT `cadre up` (it stops its children), then SIGKILL whatever of the tree is left."""
    if up.poll() is None:
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    for pid in [*known, up.pid]:
        try:
            os.killpg(pid, signal.SIGKILL)  # every child runs in its own session (= process group)
        except (ProcessLookupError, PermissionError):
            pass
    if up.poll() is None:
        up.kill()
        up.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true",
                        help="play `cadre demo` (~3.5 min) instead of the quick scenario")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait after the outboxes drained")
    parser.add_argument("--window", type=float, default=30.0, help="seconds of idleness measured")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (logs)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cadre-idle-"))
    ports = {n: loopback_port() for n in PROCESSES}
    env = {**os.environ, "CADRE_PROFILE": "embedded", "CADRE_DATA_DIR": str(tmp / "var"),
           "CADRE_PORTS": json.dumps(ports), "CADRE_TEMPORAL_ADDRESS": f"127.0.0.1:{loopback_port()}",
           "CADRE_LOG_LEVEL": os.environ.get("CADRE_LOG_LEVEL", "INFO")}
    for var in ("CADRE_DATABASE_URL", "CADRE_EVENT_TRANSPORT", "CADRE_EVENT_NAMESPACE", "CADRE_SERVICE_URLS"):
        env.pop(var, None)
    log = tmp / "up.log"
    up = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=ROOT, env=env, stdout=log.open("wb"),
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    known: set[int] = set()
    code = 1
    result: dict[str, object] = {"figure": "idle stack CPU (cores)", "baseline": BASELINE, "ours": None,
                                 "ratio": None, "target": f"≤ {TARGET} cores", "met": False}
    try:
        wait_ready(ports, up, 180, log)
        known |= set(tree(up.pid))
        play = [sys.executable, "-m", "cli.main", "demo"] if args.full else \
            [sys.executable, "-m", "cli.main", "scenario", "run", str(QUICK)]
        t0 = time.monotonic()
        played = subprocess.run(play, cwd=ROOT, env=env, stdout=(tmp / "play.log").open("wb"),
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=900)
        what = "cadre demo" if args.full else QUICK.name
        print(f"played {what} in {time.monotonic() - t0:.0f} s (exit {played.returncode})", flush=True)
        if played.returncode != 0:
            print((tmp / "play.log").read_text()[-3000:], file=sys.stderr)
        drained = wait_drained(ports)
        time.sleep(args.settle)
        known |= set(tree(up.pid))
        if up.poll() is not None:
            raise SystemExit(f"`cadre up` exited during the run; see {log}")
        total, per, wall = measure(up.pid, args.window)
        known |= set(tree(up.pid))
        print(f"idle stack CPU over {wall:.0f} s (after {drained:.0f} s draining + {args.settle:.0f} s settling): "
              f"{total:.3f} cores (target ≤ {TARGET})")
        for name, cores in sorted(per.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<24} {cores:7.4f} cores")
        ours = round(total, 3)
        result.update(ours=ours, ratio=round(ours / TARGET, 2), met=ours <= TARGET,
                      per_process={k: round(v, 4) for k, v in per.items()}, played=what, play_exit=played.returncode)
        code = 0 if played.returncode == 0 else 1
    except BaseException as exc:  # still one RESULT line (ours null) for whoever reads it, and the stack stops
        result["error"] = str(exc) or repr(exc)
        raise
    finally:
        print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
        stop(up, known)
        if args.keep:
            print(f"data and logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
