"""Writes the Cadreflow Grafana dashboards (deploy/grafana/dashboards/*.json) from this one description.

    .venv/bin/python deploy/grafana/generate.py          # rewrite the JSON files
    .venv/bin/python deploy/grafana/generate.py --check  # exit 1 when a JSON file is out of date

Every panel queries the provisioned Prometheus datasource (uid ``prometheus``). Queries use fixed windows
(no Grafana variables), so the integration test can run each one against a real Prometheus as written.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}


@dataclass
class Panel:
    """One panel: a title (Vietnamese / English), its queries and how to show them."""

    title: str
    exprs: list[tuple[str, str]]  # (PromQL, legend format)
    kind: str = "timeseries"  # timeseries | stat | table | bargauge
    unit: str = "short"
    description: str = ""
    width: int = 12
    height: int = 8
    thresholds: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Dashboard:
    uid: str
    title: str
    description: str
    tags: list[str]
    panels: list[Panel]


def _panel_json(p: Panel, pid: int, x: int, y: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"color": "green", "value": None}]
    steps += [{"color": color, "value": value} for value, color in p.thresholds]
    options: dict[str, Any] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                               "tooltip": {"mode": "multi", "sort": "desc"}}
    if p.kind in ("stat", "bargauge"):
        options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                   "orientation": "auto", "textMode": "auto", "colorMode": "value", "graphMode": "none"}
    if p.kind == "table":
        options = {"showHeader": True, "cellHeight": "sm"}
    targets = [{"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend,
                "range": p.kind == "timeseries", "instant": p.kind != "timeseries",
                **({"format": "table"} if p.kind == "table" else {})}
               for i, (expr, legend) in enumerate(p.exprs)]
    return {
        "id": pid, "type": p.kind, "title": p.title, "description": p.description, "datasource": DATASOURCE,
        "gridPos": {"h": p.height, "w": p.width, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": p.unit, "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": options, "targets": targets,
        **({"transformations": [{"id": "merge", "options": {}}]} if p.kind == "table" else {}),
    }


def dashboard_json(d: Dashboard) -> dict[str, Any]:
    """A Grafana dashboard model (schemaVersion 39) with panels laid out left to right, top to bottom."""
    panels, x, y, row_h = [], 0, 0, 0
    for i, p in enumerate(d.panels, start=1):
        if x + p.width > 24:
            x, y, row_h = 0, y + row_h, 0
        panels.append(_panel_json(p, i, x, y))
        x, row_h = x + p.width, max(row_h, p.height)
    return {
        "uid": d.uid, "title": d.title, "description": d.description, "tags": ["cadreflow", *d.tags],
        "schemaVersion": 39, "version": 1, "editable": False, "graphTooltip": 1, "timezone": "browser",
        "refresh": "30s", "time": {"from": "now-6h", "to": "now"}, "timepicker": {},
        "templating": {"list": []}, "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [],
        "panels": panels,
    }


def _ts(title: str, *exprs: tuple[str, str], unit: str = "short", description: str = "",
        width: int = 12, thresholds: list[tuple[float, str]] | None = None) -> Panel:
    return Panel(title, list(exprs), "timeseries", unit, description, width, 8, thresholds or [])


def _stat(title: str, *exprs: tuple[str, str], unit: str = "short", description: str = "",
          width: int = 6, thresholds: list[tuple[float, str]] | None = None) -> Panel:
    return Panel(title, list(exprs), "stat", unit, description, width, 5, thresholds or [])


def _table(title: str, *exprs: tuple[str, str], description: str = "", width: int = 24) -> Panel:
    return Panel(title, list(exprs), "table", "short", description, width, 9)


RED_ROUTES = 'route!~"/metrics|/healthz|/readyz"'


def dashboards() -> list[Dashboard]:
    """Every Cadreflow dashboard."""
    return [platform(), workflows(), events(), human_tasks(), business()]


def platform() -> Dashboard:
    """RED per service: rate, errors, duration; readiness of every process."""
    return Dashboard("cadre-platform", "Cadreflow — Nền tảng / Platform (RED)",
                     "Requests, errors and latency per service and route; readiness of every process.",
                     ["platform"], [
        _stat("Tiến trình hoạt động / Processes up", ("sum(up{job=~\"cadre.*\"})", "up"),
              description="Processes Prometheus can scrape."),
        _stat("Phụ thuộc chưa sẵn sàng / Dependencies not ready",
              ("count(cadre_ready == 0) or vector(0)", "not ready"), thresholds=[(1, "red")]),
        _stat("Yêu cầu/giây / Requests per second", ("sum(cadre:http_requests:rate5m)", "req/s"), unit="reqps"),
        _stat("Tỉ lệ lỗi 5xx / 5xx ratio",
              ("sum(cadre:http_errors:rate5m) / sum(cadre:http_requests:rate5m)", "5xx"),
              unit="percentunit", thresholds=[(0.01, "orange"), (0.05, "red")]),
        _ts("Yêu cầu theo dịch vụ / Requests by service", ("cadre:http_requests:rate5m", "{{service}}"),
            unit="reqps"),
        _ts("Lỗi 5xx theo dịch vụ / 5xx ratio by service", ("cadre:http_errors:ratio5m", "{{service}}"),
            unit="percentunit"),
        _ts("Lỗi 4xx theo dịch vụ / 4xx per second by service",
            ("cadre:http_client_errors:rate5m", "{{service}}"), unit="reqps",
            description="Refused input and authorisation: not a fault of the system, but a spike is worth a look."),
        _ts("Độ trễ p95 / p95 latency by service", ("cadre:http_latency_p95:5m", "{{service}}"), unit="s"),
        _ts("Độ trễ p95 theo route / p95 latency by route",
            ("cadre:http_route_latency_p95:5m", "{{service}} {{route}}"), unit="s", width=24),
        _table("Yêu cầu trong 1 giờ theo route và mã / Requests in the last hour by route and status",
               (f"sum by (service, method, route, status) (increase(cadre_http_requests_total{{{RED_ROUTES}}}[1h]))",
                "")),
        _ts("Sẵn sàng / Readiness by dependency", ("cadre_ready", "{{service}} · {{dependency}}"),
            description="1 = reachable at the last readiness check."),
        _ts("Bộ nhớ / Resident memory", ("process_resident_memory_bytes{job=~\"cadre.*\"}", "{{process}}"),
            unit="bytes"),
        _ts("CPU", ("rate(process_cpu_seconds_total{job=~\"cadre.*\"}[5m])", "{{process}}"), unit="percentunit"),
        _ts("Gọi Temporal / Temporal client requests",
            ("sum by (process, operation) (rate(temporal_request[5m]))", "{{process}} {{operation}}"),
            unit="reqps"),
    ])


def workflows() -> Dashboard:
    """Durable workflows: starts, completions, failures, latency, worker health (Temporal SDK metrics)."""
    return Dashboard("cadre-workflows", "Cadreflow — Quy trình / Workflows",
                     "Workflow starts, completions and failures by type; task latency; worker slots.",
                     ["workflows", "temporal"], [
        _stat("Quy trình bắt đầu (1 giờ) / Started (1h)",
              ("sum(increase(cadre_workflow_runs{transition=\"started\"}[1h]))", "started")),
        _stat("Quy trình hoàn thành (1 giờ) / Completed (1h)",
              ("sum(increase(cadre_workflow_runs{transition=\"completed\"}[1h]))", "completed")),
        _stat("Quy trình thất bại (1 giờ) / Failed (1h)",
              ("sum(increase(cadre_workflow_runs{transition=\"failed\"}[1h])) or vector(0)", "failed"),
              thresholds=[(1, "red")]),
        _stat("Hoạt động lỗi (1 giờ) / Activity failures (1h)",
              ("sum(increase(temporal_activity_execution_failed[1h])) or vector(0)", "failed"),
              thresholds=[(1, "orange")]),
        _ts("Bắt đầu theo loại / Starts by type", ("cadre:workflow_starts:rate5m", "{{workflow_type}}"), unit="ops"),
        _ts("Hoàn thành theo loại / Completions by type", ("cadre:workflow_completions:rate5m", "{{workflow_type}}"),
            unit="ops"),
        _ts("Thất bại theo loại / Failures by type", ("cadre:workflow_failures:rate5m", "{{workflow_type}}"),
            unit="ops"),
        _ts("Hoạt động thất bại / Activity failures by type",
            ("cadre:activity_failures:rate5m", "{{activity_type}}"), unit="ops"),
        _ts("Thời gian quy trình p95 / Workflow end-to-end p95",
            ("histogram_quantile(0.95, sum by (workflow_type, le) "
             "(rate(temporal_workflow_endtoend_latency_bucket[1h])))", "{{workflow_type}}"), unit="ms"),
        _ts("Thời gian hoạt động p95 / Activity execution p95",
            ("histogram_quantile(0.95, sum by (activity_type, le) "
             "(rate(temporal_activity_execution_latency_bucket[1h])))", "{{activity_type}}"), unit="ms"),
        _ts("Chờ xử lý (workflow task) p95 / Workflow task schedule-to-start p95",
            ("cadre:workflow_task_schedule_to_start_p95:5m", "{{task_queue}}"), unit="ms",
            description="Rising: the workflow worker is short of capacity or down."),
        _ts("Chờ xử lý (activity) p95 / Activity schedule-to-start p95",
            ("cadre:activity_schedule_to_start_p95:5m", "{{task_queue}}"), unit="ms",
            description="Rising: the service's activity worker is short of capacity or down."),
        _ts("Khe xử lý đang dùng / Worker task slots used",
            ("sum by (task_queue, worker_type) (temporal_worker_task_slots_used)", "{{task_queue}} {{worker_type}}")),
        _ts("Bộ thăm dò / Pollers", ("sum by (task_queue, poller_type) (temporal_num_pollers)",
                                       "{{task_queue}} {{poller_type}}")),
        _ts("Khởi động bởi sự kiện / Started by the event starters",
            ("cadre:workflow_starter_starts:rate5m", "{{workflow}}"), unit="ops"),
        _ts("Kết thúc theo cách / Runs ended, by transition (1h)",
            ("sum by (transition) (increase(cadre_workflow_runs{transition!=\"started\"}[1h]))", "{{transition}}")),
        _stat("Bộ đệm sticky / Sticky cache size", ("sum(temporal_sticky_cache_size)", "cached"), width=24),
    ])


def events() -> Dashboard:
    """The event pipeline: outbox, relay, topics, consumers, lag, dead letters, audit."""
    return Dashboard("cadre-events", "Cadreflow — Sự kiện / Events",
                     "Transactional outbox, relay, Kafka/event-log consumers, lag and dead letters.",
                     ["events", "kafka"], [
        _stat("Outbox chờ / Outbox pending", ("sum(cadre_outbox_pending)", "pending")),
        _stat("Outbox cũ nhất / Oldest pending", ("max(cadre_outbox_oldest_pending_age_seconds)", "age"),
              unit="s", thresholds=[(30, "orange"), (60, "red")]),
        _stat("Độ trễ tiêu thụ / Consumer lag", ("sum(cadre_consumer_lag)", "lag"), thresholds=[(100, "orange")]),
        _stat("Thư lỗi (1 giờ) / Dead letters (1h)", ("sum(cadre:dlq_messages:increase1h)", "dlq"),
              thresholds=[(1, "red")]),
        _ts("Outbox chờ theo dịch vụ / Outbox pending", ("cadre:outbox_pending:max", "{{service}}")),
        _ts("Tuổi outbox cũ nhất / Oldest pending age", ("cadre:outbox_oldest_age:max", "{{service}}"), unit="s",
            thresholds=[(60, "red")]),
        _ts("Phát hành / Published per second", ("cadre:events_published:rate5m", "{{service}}"), unit="ops"),
        _ts("Lỗi phát hành / Relay publish failures", ("cadre:events_publish_failures:rate5m", "{{service}}"),
            unit="ops"),
        _ts("Tiêu thụ / Consumed by group and outcome", ("cadre:events_consumed:rate5m", "{{group}} {{outcome}}"),
            unit="ops"),
        _ts("Độ trễ theo nhóm / Consumer lag by group", ("cadre:consumer_lag:sum", "{{group}}")),
        _ts("Độ trễ theo phân vùng / Lag by partition", ("cadre_consumer_lag", "{{group}} {{topic}}/{{partition}}")),
        _ts("Thư lỗi / Dead letters in the last hour", ("cadre:dlq_messages:increase1h", "{{group}}")),
        _ts("Sự kiện miền / Domain events by type",
            ("sum by (service, type) (rate(cadre_domain_events_total[5m]))", "{{service}} {{type}}"), unit="ops"),
        _ts("Bản ghi kiểm toán / Audit records by action",
            ("sum by (service, action) (increase(cadre_audit_records_total[1h]))", "{{service}} {{action}}")),
        _stat("Chuỗi kiểm toán / Audit chain verified", ("min by (service) (cadre_audit_chain_verified)",
                                                          "{{service}}"),
              width=24, description="1 = the service's audit hash chain verified at the last check."),
    ])


def human_tasks() -> Dashboard:
    """The approvers' SLA view of the inbox."""
    return Dashboard("cadre-human-tasks", "Cadreflow — Việc cần xử lý / Human tasks (SLA)",
                     "Open and overdue tasks by kind and group, age, time to claim and complete, escalations.",
                     ["tasks", "sla"], [
        _stat("Việc đang mở / Open tasks", ("sum(cadre_tasks_open) or vector(0)", "open")),
        _stat("Việc quá hạn / Overdue tasks",
              ("sum(cadre_tasks_overdue) or vector(0)", "overdue"), thresholds=[(1, "orange")]),
        _stat("Chuyển cấp (1 ngày) / Escalations (1d)",
              ("sum(increase(cadre_task_escalations_total[1d])) or vector(0)", "escalated"), thresholds=[(1, "red")]),
        _stat("Nhắc việc (1 ngày) / Reminders (1d)",
              ("sum(increase(cadre_task_reminders_total[1d])) or vector(0)", "reminded")),
        _ts("Việc mở theo loại và nhóm / Open by kind and group", ("cadre:tasks_open:sum", "{{kind}} · {{group}}")),
        _ts("Việc quá hạn theo loại / Overdue by kind", ("cadre:tasks_overdue:sum", "{{kind}}")),
        _ts("Việc mở lâu nhất / Oldest open task by kind and group",
            ("max by (kind, group) (cadre_task_oldest_open_age_seconds)", "{{kind}} · {{group}}"), unit="s",
            width=24, description="The approvers' SLA at a glance: how long the oldest task of each queue has waited."),
        _ts("Tuổi việc đang mở p95 / Age of open tasks p95",
            ("histogram_quantile(0.95, sum by (kind, le) (rate(cadre_task_age_seconds_bucket[1d])))", "{{kind}}"),
            unit="s"),
        _ts("Thời gian nhận việc p50 / Time to claim p50",
            ("histogram_quantile(0.5, sum by (kind, le) (rate(cadre_task_time_to_claim_seconds_bucket[1d])))",
             "{{kind}}"), unit="s"),
        _ts("Thời gian hoàn thành p95 / Time to complete p95", ("cadre:task_time_to_complete_p95:1d", "{{kind}}"),
            unit="s"),
        _ts("Chuyển cấp và nhắc việc / Escalations and reminders",
            ("sum by (kind) (increase(cadre_task_escalations_total[1d]))", "escalated {{kind}}"),
            ("sum by (kind) (increase(cadre_task_reminders_total[1d]))", "reminded {{kind}}")),
    ])


def business() -> Dashboard:
    """Registrations, compliance, plan versus actual, classes, selection campaigns, decisions."""
    return Dashboard("cadre-business", "Cadreflow — Nghiệp vụ / Business",
                     "Training-need registrations, compliance, plan fulfilment, classes and selection campaigns.",
                     ["business"], [
        _stat("Đơn vị mới (30 ngày) / Units registered (30d)",
              ("sum(increase(cadre_domain_events_total{type=\"UnitCreated\"}[30d]))", "units")),
        _stat("Tỉ lệ hoàn thành bồi dưỡng / Compliance", ("avg(cadre_compliance_ratio)", "compliance"),
              unit="percentunit"),
        _stat("Xung đột phát hiện / Conflicts found", ("sum(cadre_conflicts_found)", "conflicts"),
              thresholds=[(1, "orange")]),
        _stat("Quyết định (30 ngày) / Decisions (30d)",
              ("sum(increase(cadre_decisions_total[30d])) or vector(0)", "decisions")),
        _ts("Đăng ký nhu cầu theo kết quả / Registrations by outcome",
            ("sum by (outcome) (increase(cadre_registrations_total[1d]))", "{{outcome}}")),
        _ts("Tỉ lệ hoàn thành theo đơn vị / Compliance by unit", ("cadre_compliance_ratio", "{{unit}}"),
            unit="percentunit"),
        _ts("Kế hoạch và thực hiện / Plan vs actual by category", ("cadre_plan_fulfilment_ratio", "{{category}}"),
            unit="percentunit", description="Actual over planned (1 = 100%)."),
        _ts("Ghi danh / Enrolments by outcome",
            ("sum by (outcome) (increase(cadre_enrolments_total[1d]))", "{{outcome}}")),
        _ts("Lớp học / Class transitions", ("sum by (status) (increase(cadre_class_transitions_total[1d]))",
                                              "{{status}}")),
        _ts("Tạo nguồn: bước chiến dịch / Campaign progress",
            ("sum by (step) (increase(cadre_campaign_step_transitions_total[30d]))", "{{step}}")),
        _ts("Xung đột theo loại / Conflicts by kind", ("cadre_conflicts_found", "{{kind}}")),
        _ts("Quyết định theo loại / Decisions by kind and outcome",
            ("sum by (kind, outcome) (increase(cadre_decisions_total[1d]))", "{{kind}} {{outcome}}")),
    ])


def render() -> dict[str, str]:
    """File name → JSON text of every dashboard."""
    return {f"{d.uid}.json": json.dumps(dashboard_json(d), ensure_ascii=False, indent=2) + "\n"
            for d in dashboards()}


def main(argv: list[str]) -> int:
    """Write (or with --check, compare) the dashboard files."""
    files = render()
    if "--check" in argv:
        stale = [n for n, text in files.items() if not (OUT / n).exists() or (OUT / n).read_text() != text]
        if stale:
            print(f"out of date: {', '.join(stale)}; run deploy/grafana/generate.py", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
