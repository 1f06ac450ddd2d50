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
from cli.scenario.words import FINDINGS, PLAN_ROWS, STATUSES, figure_text, word

ROOT = Path(__file__).resolve().parents[2]
SKIP = frozenset({"label_vi", "label_en", "steps"})
GROUPS = {"G1": "lớp đối tượng 1", "G2": "lớp đối tượng 2"}


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


def audit_verify(timeout: float = 300, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `cadre audit verify` with this process's configuration (or the given environment's); its exit code
    and lines."""
    proc = subprocess.run([sys.executable, "-m", "cli.main", "audit", "verify"], cwd=ROOT,
                          env=os.environ.copy() if env is None else env,
                          capture_output=True, text=True, timeout=timeout)
    return {"ok": proc.returncode == 0, "exit_code": proc.returncode,
            "lines": [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()][-20:]}


def _tally(codes: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in codes:
        out[c] = out.get(c, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


async def registrations_outcome(st: RunState, reader: str) -> dict[str, Any]:
    """The registrations the scenario submitted: refused and flagged at submission, by reason (finding codes), and
    what became of the flagged ones (read back: the Board's decisions)."""
    now: dict[str, str] = {}
    for r in st.registrations:
        if r["id"]:
            found = await st.api.get("registration", f"/registrations/{r['id']}", user=reader)
            now[r["id"]] = str(found["status"])
    refused = [r for r in st.registrations if r["outcome"] == "refused"]
    flagged = [r for r in st.registrations if r["outcome"] == "flagged"]
    return {
        "submitted": len(st.registrations),
        "accepted": sum(1 for r in st.registrations if r["outcome"] == "accepted"),
        "refused": len(refused),
        "refused_reasons": _tally([f["code"] for r in refused for f in r["findings"] if f["severity"] == "error"]),
        "flagged": len(flagged),
        "flagged_reasons": _tally([f["code"] for r in flagged for f in r["findings"] if f["severity"] == "warning"]),
        "flagged_now": _tally([now.get(r["id"], "under_review") for r in flagged]),
        "items": [{**{k: r[k] for k in ("official", "unit_code", "programme", "class", "outcome")},
                   "status": now.get(r["id"] or "", "refused"),
                   "reasons_vi": [f["message_vi"] for f in r["findings"]]} for r in st.registrations],
    }


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
        "registrations": await registrations_outcome(st, reader),
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
    """The outcome as tables, every label in Vietnamese words."""
    report = out["report"]
    t = Table(title=f"Báo cáo năm {out['year']} (từ hồ sơ từng người, từng lớp)")
    t.add_column("Nội dung")
    t.add_column("Số liệu")
    for key, row in report["actual"].items():
        t.add_row(row.get("label_vi", word(PLAN_ROWS, key)), figure_text(row, SKIP))
    console.print(t)
    p = Table(title=f"Kế hoạch năm {out['year'] + 1}")
    p.add_column("Nội dung")
    p.add_column("Chỉ tiêu")
    for key, row in report["plan_next_year"].items():
        p.add_row(row.get("label_vi", word(PLAN_ROWS, key)), figure_text(row, SKIP))
    console.print(p)
    for number, groups in out["selected"].items():
        console.print(f"Đợt tạo nguồn {number} — được chọn: "
                      + ", ".join(f"{word(GROUPS, g)}: {n} đồng chí" for g, n in groups.items()))
    print_compliance(out, console)
    print_registrations(out.get("registrations", {}), console)
    conflicts = out.get("conflicts", {})
    if "error" in conflicts:
        console.print("Xung đột: không đọc được danh sách xung đột")
    else:
        console.print(f"Xung đột: {conflicts.get('overlaps', 0)} trường hợp trùng thời gian, "
                      f"{conflicts.get('duplicates', 0)} đăng ký trùng")
    console.print(f"Lượt ghi danh, quyết định bị từ chối khi chạy kịch bản: {out['refusals_total']}")
    if "expected_mismatches" in out:
        if out["expected_mismatches"]:
            console.print("[red]Khác số liệu kỳ vọng:[/red]")
            for m in out["expected_mismatches"]:
                console.print(f"  - {m}", markup=False)
        else:
            console.print("[green]Khớp mọi số liệu kỳ vọng của bài báo[/green]")
    if "audit" in out:
        colour = "green" if out["audit"]["ok"] else "red"
        console.print(f"[{colour}]Kiểm tra nhật ký kiểm toán: {'toàn vẹn' if out['audit']['ok'] else 'LỖI'}[/{colour}]")


def print_compliance(out: dict[str, Any], console: Console) -> None:
    """The year's compliance per unit, naming the units below the required share."""
    comp = out.get("compliance", {})
    if not comp.get("available"):
        console.print("Tuân thủ: không đọc được số liệu từ dịch vụ đăng ký")
        return
    units = comp.get("units", [])
    console.print(f"Tuân thủ năm {out['year']}: {comp.get('trained')}/{comp.get('officials')} cán bộ được bồi dưỡng "
                  f"({comp.get('percentage')} %) trong {len(units)} đơn vị")
    required = float(comp.get("required_share") or 1.0) * 100
    above = [u for u in units if float(u["percentage"]) >= 95]
    console.print(f"  {len(above)} đơn vị đạt từ 95 % trở lên; yêu cầu {required:g} %/năm")
    below = [u for u in units if float(u["percentage"]) < 95]
    for u in below:
        console.print(f"  Dưới 95 %: {u['unit_name']} — {u['trained']}/{u['officials']} ({u['percentage']} %)")


def print_registrations(reg: dict[str, Any], console: Console) -> None:
    """Registrations refused or flagged at submission, by reason, and the managing bodies' decisions on the flagged."""
    if not reg or not reg.get("submitted"):
        return
    console.print(f"Đăng ký nhu cầu: {reg['submitted']} đăng ký; {reg['accepted']} chấp nhận, "
                  f"{reg['refused']} bị từ chối, {reg['flagged']} chuyển cơ quan quản lý xem xét")
    for code, n in reg.get("refused_reasons", {}).items():
        console.print(f"  Từ chối vì {word(FINDINGS, code)}: {n}")
    for code, n in reg.get("flagged_reasons", {}).items():
        console.print(f"  Cần xem xét vì {word(FINDINGS, code)}: {n}")
    if reg.get("flagged_now"):
        console.print("  Cơ quan quản lý đã quyết định: " + ", ".join(
            f"{word(STATUSES, s)} {n}" for s, n in reg["flagged_now"].items()))
