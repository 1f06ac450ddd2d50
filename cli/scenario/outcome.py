"""After playing: read the outcome back from the APIs (report, selected per group, conflicts, compliance) and
verify the audit chains with `cadre audit verify`; print it as tables or as JSON. Nothing here decides anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from cli.scenario.client import StepFailed
from cli.scenario.state import RunState

ROOT = Path(__file__).resolve().parents[2]
SKIP = frozenset({"label_vi", "label_en", "steps"})


def figure_mismatches(expected: dict[str, Any], actual: dict[str, Any], path: str = "") -> list[str]:
    """Every expected figure the actual report does not show (labels and step texts are not figures)."""
    out = []
    for key, want in expected.items():
        if key in SKIP:
            continue
        here = f"{path}.{key}" if path else key
        got = actual.get(key) if isinstance(actual, dict) else None
        if isinstance(want, dict):
            out += figure_mismatches(want, got if isinstance(got, dict) else {}, here)
        elif got != want:
            out.append(f"{here}: expected {want!r}, the report shows {got!r}")
    return out


def audit_verify(timeout: float = 300) -> dict[str, Any]:
    """Run `cadre audit verify` with this process's configuration; its exit code and lines."""
    proc = subprocess.run([sys.executable, "-m", "cli.main", "audit", "verify"], cwd=ROOT, env=os.environ.copy(),
                          capture_output=True, text=True, timeout=timeout)
    return {"ok": proc.returncode == 0, "exit_code": proc.returncode,
            "lines": [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()][-20:]}


async def read_outcome(st: RunState, *, reader: str, verify: bool = True) -> dict[str, Any]:
    """What the stack says happened, as read through its APIs."""
    year = int(st.doc["year"])
    report = await st.api.get("scheduling", "/reports/annual", user=reader, year=year)
    selected: dict[str, dict[str, int]] = {}
    for number, camp in st.campaigns.items():
        try:
            decision = await st.api.get("selection", f"/campaigns/{camp['id']}/decision", user=reader)
        except StepFailed as exc:
            selected[number] = {"error": str(exc)}  # type: ignore[dict-item]
            continue
        selected[number] = {g["group"]: len(g["selected"]) for g in decision.get("groups", [])}
    try:
        conflicts = await st.api.get("registration", "/conflicts", user=reader, year=year)
        conflict_counts = {"overlaps": len(conflicts.get("overlaps", [])),
                           "duplicates": len(conflicts.get("duplicates", []))}
    except StepFailed as exc:
        conflict_counts = {"error": str(exc)}  # type: ignore[dict-item]
    out: dict[str, Any] = {
        "scenario": st.doc["name"], "year": year, "counts": dict(sorted(st.counts.items())),
        "refusals": st.refusals[:50], "refusals_total": len(st.refusals), "selected": selected,
        "conflicts": conflict_counts, "compliance": report.get("compliance", {}), "report": report,
        "api_calls": st.api.calls}
    expect = st.doc.get("expect", {}).get("report")
    if expect:
        out["expected_mismatches"] = figure_mismatches(expect, {"actual": report["actual"],
                                                                 "plan_next_year": report["plan_next_year"]})
    if verify:
        out["audit"] = audit_verify()
    return out


def print_outcome(out: dict[str, Any], console: Console) -> None:
    """The outcome as tables, Vietnamese first."""
    report = out["report"]
    t = Table(title=f"Báo cáo năm {out['year']} / annual report (từ hồ sơ / from records)")
    t.add_column("Nội dung / row")
    t.add_column("Chỉ số / figures")
    for key, row in report["actual"].items():
        figures = ", ".join(f"{k}={v}" for k, v in row.items() if k not in SKIP)
        t.add_row(row.get("label_vi", key), figures)
    console.print(t)
    p = Table(title=f"Kế hoạch năm {out['year'] + 1} / next year's plan")
    p.add_column("Nội dung / row")
    p.add_column("Chỉ số / figures")
    for key, row in report["plan_next_year"].items():
        p.add_row(key, ", ".join(f"{k}={v}" for k, v in row.items() if k not in SKIP))
    console.print(p)
    for number, groups in out["selected"].items():
        console.print(f"Đợt {number} — được chọn / selected: "
                      + ", ".join(f"{g}: {n}" for g, n in groups.items()))
    comp = out.get("compliance", {})
    if comp.get("available"):
        console.print(f"Tuân thủ / compliance {out['year']}: {comp.get('trained')}/{comp.get('officials')} "
                      f"({comp.get('percentage')}%) trong {len(comp.get('units', []))} đơn vị / units")
    console.print(f"Xung đột / conflicts: {out['conflicts']}")
    console.print(f"Bị từ chối / refused along the way: {out['refusals_total']}")
    if "expected_mismatches" in out:
        if out["expected_mismatches"]:
            console.print("[red]Khác kỳ vọng / differs from the expected figures:[/red]")
            for m in out["expected_mismatches"]:
                console.print(f"  - {m}")
        else:
            console.print("[green]Khớp mọi số liệu kỳ vọng / every expected figure matches[/green]")
    if "audit" in out:
        colour = "green" if out["audit"]["ok"] else "red"
        console.print(f"[{colour}]Kiểm toán / audit verify: {'OK' if out['audit']['ok'] else 'FAILED'}[/{colour}]")
