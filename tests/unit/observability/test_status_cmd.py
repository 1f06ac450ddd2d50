"""`cadre status` parsing of a process's /metrics text (the Temporal SDK's text appended) and rendering."""

from __future__ import annotations

import httpx
from rich.console import Console

from cli.status_cmd import ProcessStatus, parse_metrics, probe, render

METRICS = """# HELP cadre_outbox_pending Outbox rows not yet published
# TYPE cadre_outbox_pending gauge
cadre_outbox_pending{service="registration"} 3.0
# HELP cadre_consumer_lag Messages not yet committed
# TYPE cadre_consumer_lag gauge
cadre_consumer_lag{group="g",partition="0",topic="t"} 2.0
cadre_consumer_lag{group="g",partition="1",topic="t"} 5.0
# HELP cadre_http_requests_total HTTP requests
# TYPE cadre_http_requests_total counter
cadre_http_requests_total{method="POST",route="/units",service="registration",status="500"} 2.0
cadre_http_requests_total{method="POST",route="/units",service="registration",status="201"} 7.0
# HELP temporal_request Count of client request successes by rpc name
# TYPE temporal_request counter
temporal_request{operation="Check",service_name="temporal-core-sdk"} 1
"""


def test_parse_keeps_only_cadre_samples() -> None:
    samples = parse_metrics(METRICS)
    assert samples["cadre_outbox_pending"] == [({"service": "registration"}, 3.0)]
    assert sum(v for _, v in samples["cadre_consumer_lag"]) == 7.0
    assert not any(name.startswith("temporal") for name in samples)


def test_render_shows_every_process_in_vietnamese_and_english() -> None:
    console = Console(record=True, width=160)
    render([ProcessStatus(name="registration", url="http://x:1", reachable=True, ready=True, outbox_pending=3),
            ProcessStatus(name="portal", url="http://x:2", reachable=False, error="ConnectError"),
            ProcessStatus(name="workflows", url="http://x:3", reachable=True, ready=False, failing=["temporal"],
                          audit_chain_verified=False)], console)
    text = console.export_text()
    assert "✓ sẵn sàng / ready" in text and "✗ không phản hồi / down" in text
    assert "✗ chưa sẵn sàng / not ready" in text and "temporal" in text
    assert "Outbox chờ phát hành / outbox pending" in text and "hỏng / BROKEN" in text


RETRYING_AND_STALLED = """# HELP cadre_activities_retrying Activity executions beyond the attempt limit
# TYPE cadre_activities_retrying gauge
cadre_activities_retrying{activity_type="portal.close_task",task_queue="portal"} 2.0
cadre_activities_retrying{activity_type="portal.create_task",task_queue="portal"} 0.0
# HELP cadre_workflows_stalled Workflows past a deadline without progress
# TYPE cadre_workflows_stalled gauge
cadre_workflows_stalled{workflow_type="SelectionCampaign"} 1.0
"""


def test_status_lists_activities_retrying_and_stalled_workflows() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"status": "ready", "failing": []})
        return httpx.Response(200, text=RETRYING_AND_STALLED)

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        st = probe("portal", "http://x:4", http)
    assert (st.activities_retrying, st.workflows_stalled) == (2.0, 1.0)
    assert st.retrying == {"portal.close_task (portal)": 2.0} and st.stalled == {"SelectionCampaign": 1.0}
    console = Console(record=True, width=200)
    render([st, ProcessStatus(name="registration", url="http://x:1", reachable=True, ready=True)], console)
    text = console.export_text()
    assert "Hoạt động thử lại quá nhiều / activities retrying" in text
    assert "Quy trình quá hạn, không tiến triển / stalled workflows" in text
    assert "Cần xử lý / Needs attention" in text
    assert "portal.close_task (portal)" in text and "SelectionCampaign" in text
    assert "portal.create_task" not in text  # nothing beyond the limit there


def test_nothing_to_attend_to_prints_no_attention_table() -> None:
    console = Console(record=True, width=200)
    render([ProcessStatus(name="portal", url="http://x:4", reachable=True, ready=True, activities_retrying=0,
                          workflows_stalled=0)], console)
    assert "Needs attention" not in console.export_text()
