"""`cadre status` parsing of a process's /metrics text (the Temporal SDK's text appended) and rendering."""

from __future__ import annotations

from rich.console import Console

from cli.status_cmd import ProcessStatus, parse_metrics, render

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
