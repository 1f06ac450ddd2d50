"""`cadre status`: readiness of every process and the key gauges, for someone without Grafana."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table

from cli.supervisor import PROCESSES
from shared.config import Settings
from shared.supervision import read_state, state_path


@dataclass
class ProcessStatus:
    """What one process reports: readiness, its failing dependencies and the key gauges from /metrics."""

    name: str
    url: str
    reachable: bool = False
    ready: bool = False
    failing: list[str] = field(default_factory=list)
    outbox_pending: float | None = None
    outbox_oldest_age_seconds: float | None = None
    consumer_lag: float | None = None
    dead_letters: float | None = None
    tasks_open: float | None = None
    tasks_overdue: float | None = None
    audit_chain_verified: bool | None = None
    http_5xx: float | None = None
    # activity executions retrying beyond the attempt limit ("activity type (queue)" → count), and workflows past
    # a deadline without progress (workflow type → count)
    activities_retrying: float | None = None
    workflows_stalled: float | None = None
    retrying: dict[str, float] = field(default_factory=dict)
    stalled: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    # under `cadre up`: what its supervisor says (running | restarting | failed), how often it restarted it, and why
    # the process last ended
    supervisor: str | None = None
    restarts: int | None = None
    last_exit: str | None = None


def _cadre_lines(text: str) -> str:
    """Only Cadreflow's own families (the appended Temporal SDK text is not needed here)."""
    keep = []
    for line in text.splitlines():
        name = line.split(" ", 3)[2] if line.startswith(("# HELP ", "# TYPE ")) else line
        if name.startswith("cadre_"):
            keep.append(line)
    return "\n".join(keep) + "\n"


def parse_metrics(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Sample name → (labels, value) of every cadre_* sample."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(_cadre_lines(text)):
        for s in family.samples:
            samples.setdefault(s.name, []).append((dict(s.labels), float(s.value)))
    return samples


def _sum(samples: dict[str, list[tuple[dict[str, str], float]]], name: str,
         where: dict[str, str] | None = None) -> float | None:
    rows = [v for labels, v in samples.get(name, []) if all(labels.get(k) == w for k, w in (where or {}).items())]
    return sum(rows) if rows else None


def _max(samples: dict[str, list[tuple[dict[str, str], float]]], name: str) -> float | None:
    rows = [v for _, v in samples.get(name, [])]
    return max(rows) if rows else None


def probe(name: str, url: str, http: httpx.Client) -> ProcessStatus:
    """GET /readyz and /metrics of one process."""
    st = ProcessStatus(name=name, url=url)
    try:
        ready = http.get(f"{url}/readyz")
        st.reachable = True
        body = ready.json()
        st.ready = ready.status_code == 200
        st.failing = [str(f) for f in body.get("failing", [])]
    except (httpx.HTTPError, ValueError) as exc:
        st.error = f"{type(exc).__name__}: {exc}"
        return st
    try:
        samples = parse_metrics(http.get(f"{url}/metrics").text)
    except (httpx.HTTPError, ValueError) as exc:
        st.error = f"metrics: {type(exc).__name__}: {exc}"
        return st
    st.outbox_pending = _sum(samples, "cadre_outbox_pending")
    st.outbox_oldest_age_seconds = _max(samples, "cadre_outbox_oldest_pending_age_seconds")
    st.consumer_lag = _sum(samples, "cadre_consumer_lag")
    st.dead_letters = _sum(samples, "cadre_dlq_messages_total")
    st.tasks_open = _sum(samples, "cadre_tasks_open")
    st.tasks_overdue = _sum(samples, "cadre_tasks_overdue")
    audit = samples.get("cadre_audit_chain_verified", [])
    st.audit_chain_verified = all(v == 1 for _, v in audit) if audit else None
    st.http_5xx = sum(v for labels, v in samples.get("cadre_http_requests_total", [])
                      if labels.get("status", "").startswith("5"))
    st.activities_retrying = _sum(samples, "cadre_activities_retrying")
    st.workflows_stalled = _sum(samples, "cadre_workflows_stalled")
    st.retrying = {f"{labels.get('activity_type', '?')} ({labels.get('task_queue', '?')})": v
                   for labels, v in samples.get("cadre_activities_retrying", []) if v > 0}
    st.stalled = {labels.get("workflow_type", "?"): v for labels, v in samples.get("cadre_workflows_stalled", [])
                  if v > 0}
    return st


def collect(settings: Settings, names: Sequence[str] = PROCESSES, timeout: float = 3.0) -> list[ProcessStatus]:
    """Probe every process of the profile."""
    with httpx.Client(timeout=timeout) as http:
        statuses = [probe(n, settings.url_of(n), http) for n in names]
    supervised = read_state(state_path(settings.data_dir))
    for st in statuses:
        _supervision(st, supervised.get(st.name))
    roles = {n: s for n, s in supervised.items() if s.get("url") and n not in names}
    if roles:  # the distributed profile: each role process on its own (`registration.relay.1`, …)
        with httpx.Client(timeout=timeout) as http:
            for name, state in roles.items():
                st = probe(name, str(state["url"]), http)
                _supervision(st, state)
                statuses.append(st)
    if "temporal" in supervised:  # the dev server the supervisor runs has no HTTP endpoint of its own
        temporal = ProcessStatus(name="temporal", url=settings.temporal_address)
        _supervision(temporal, supervised["temporal"])
        temporal.reachable = temporal.ready = temporal.supervisor == "running"
        statuses.append(temporal)
    return statuses


def _supervision(st: ProcessStatus, state: dict[str, Any] | None) -> None:
    if state is not None:
        st.supervisor = str(state.get("state"))
        st.restarts = int(state.get("restarts") or 0)
        st.last_exit = state.get("last_exit")


def _num(v: float | None, warn: float | None = None) -> str:
    if v is None:
        return "[dim]–[/dim]"
    text = f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
    return f"[red]{text}[/red]" if warn is not None and v > warn else text


def _ready_cell(st: ProcessStatus) -> str:
    restarted = f" ({st.restarts}× restarted, last {st.last_exit})" if st.restarts else ""
    if st.supervisor == "restarting":
        return f"[yellow]↻ đang khởi động lại / restarting[/yellow]{restarted}"
    if st.supervisor == "failed":
        return f"[red]✗ đã ngừng khởi động lại / gave up: {st.last_exit}[/red]{restarted}"
    if not st.reachable:
        return "[red]✗ không phản hồi / down[/red]"
    if st.ready:
        return f"[green]✓ sẵn sàng / ready[/green]{restarted}"
    return "[yellow]✗ chưa sẵn sàng / not ready[/yellow]"


def _audit_cell(v: bool | None) -> str:
    return "[dim]–[/dim]" if v is None else ("[green]✓ OK[/green]" if v else "[red]✗ hỏng / BROKEN[/red]")


GAUGES: tuple[tuple[str, str], ...] = (
    ("Outbox chờ phát hành / outbox pending", "outbox_pending"),
    ("Outbox cũ nhất (s) / oldest pending (s)", "outbox_oldest_age_seconds"),
    ("Độ trễ tiêu thụ / consumer lag", "consumer_lag"),
    ("Thư lỗi / dead letters", "dead_letters"),
    ("Việc đang mở / open tasks", "tasks_open"),
    ("Việc quá hạn / overdue tasks", "tasks_overdue"),
    ("Chuỗi kiểm toán / audit chain", "audit_chain_verified"),
    ("Lỗi 5xx / 5xx responses", "http_5xx"),
    ("Hoạt động thử lại quá nhiều / activities retrying", "activities_retrying"),
    ("Quy trình quá hạn, không tiến triển / stalled workflows", "workflows_stalled"),
)
WARN_ABOVE = {"outbox_pending": 100.0, "outbox_oldest_age_seconds": 60.0, "consumer_lag": 100.0,
              "dead_letters": 0.0, "tasks_overdue": 0.0, "http_5xx": 0.0, "activities_retrying": 0.0,
              "workflows_stalled": 0.0}


def render(statuses: Sequence[ProcessStatus], console: Console) -> None:
    """Two tables: readiness per process, then the key gauges (a dash: the process does not report it)."""
    ready = Table(title="Sẵn sàng / Readiness", title_justify="left")
    ready.add_column("Tiến trình / Process", no_wrap=True)
    ready.add_column("Địa chỉ / URL", overflow="fold")
    ready.add_column("Trạng thái / State", no_wrap=True)
    ready.add_column("Phụ thuộc lỗi / Failing dependencies")
    for st in statuses:
        ready.add_row(st.name, st.url, _ready_cell(st), ", ".join(st.failing) or (st.error or ""))
    console.print(ready)
    gauges = Table(title="Chỉ số chính / Key gauges", title_justify="left")
    gauges.add_column("Chỉ số / Gauge")
    statuses = per_process(statuses)
    for st in statuses:
        gauges.add_column(st.name, justify="right")
    for label, attr in GAUGES:
        cells = [_audit_cell(st.audit_chain_verified) if attr == "audit_chain_verified"
                 else _num(getattr(st, attr), WARN_ABOVE.get(attr)) for st in statuses]
        gauges.add_row(label, *cells)
    console.print(gauges)
    _render_attention(statuses, console)


def _render_attention(statuses: Sequence[ProcessStatus], console: Console) -> None:
    """Which activities retry beyond the limit and which workflows are stalled, by process (only when any)."""
    rows = [(st.name, "Hoạt động thử lại quá nhiều / activity retrying", what, n)
            for st in statuses for what, n in sorted(st.retrying.items())]
    rows += [(st.name, "Quy trình quá hạn, không tiến triển / workflow stalled", what, n)
             for st in statuses for what, n in sorted(st.stalled.items())]
    if not rows:
        return
    table = Table(title="Cần xử lý / Needs attention (docs/operations.md)", title_justify="left")
    for column in ("Tiến trình / Process", "Vấn đề / Problem", "Loại / Type", "Số / Count"):
        table.add_column(column, justify="right" if column.startswith("Số") else "left")
    for name, problem, what, n in rows:
        table.add_row(name, problem, what, f"[red]{n:.0f}[/red]")
    console.print(table)


def per_process(statuses: Sequence[ProcessStatus]) -> list[ProcessStatus]:
    """One column per service: a role process's gauges (`registration.relay.2`) folded into its service's, each
    the largest any of its processes reports (they read one database, so the replicas report the same figures)."""
    out = {st.name: st for st in statuses if st.name in PROCESSES}
    for st in statuses:
        service = st.name.split(".", 1)[0]
        if st.name in out or service not in out:
            continue
        into = out[service]
        for _, attr in GAUGES:
            mine, theirs = getattr(into, attr), getattr(st, attr)
            if attr == "audit_chain_verified":
                if theirs is not None:
                    setattr(into, attr, theirs if mine is None else (mine and theirs))
            elif theirs is not None:
                setattr(into, attr, theirs if mine is None else max(mine, theirs))
    return list(out.values())


def status(settings: Settings, *, as_json: bool = False, console: Console | None = None) -> bool:
    """Print the status of every process; True when all are ready."""
    statuses = collect(settings)
    if as_json:
        print(json.dumps([asdict(s) for s in statuses], ensure_ascii=False, indent=2))
    else:
        render(statuses, console or Console())
        down = [s.name for s in statuses if not s.ready]
        out = console or Console()
        out.print("[dim]– : chưa có số liệu / not reported (yet)[/dim]")
        out.print("Tất cả sẵn sàng / all ready." if not down else f"Chưa sẵn sàng / not ready: {', '.join(down)}")
    return all(s.ready for s in statuses)
