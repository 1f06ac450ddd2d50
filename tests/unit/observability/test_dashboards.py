"""The Grafana dashboards: valid models, generated from deploy/grafana/generate.py, every panel queries Prometheus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def test_the_five_dashboards_exist() -> None:
    assert {p.stem for p in DASHBOARDS} == {"cadre-platform", "cadre-workflows", "cadre-events",
                                           "cadre-human-tasks", "cadre-business"}


def test_dashboard_files_are_up_to_date_with_the_generator() -> None:
    out = subprocess.run([sys.executable, str(GRAFANA / "generate.py"), "--check"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr


def test_every_panel_has_a_prometheus_query_and_a_place() -> None:
    for path in DASHBOARDS:
        d = json.loads(path.read_text())
        assert d["uid"] == path.stem and 36 <= d["schemaVersion"] <= 41
        assert d["title"].startswith("Cadreflow — ")
        ids = [p["id"] for p in d["panels"]]
        assert len(ids) == len(set(ids)), path.name
        for p in d["panels"]:
            assert p["type"] in {"timeseries", "stat", "table", "bargauge"}
            assert p["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            g = p["gridPos"]
            assert g["x"] + g["w"] <= 24 and g["h"] > 0, (path.name, p["title"])
            assert p["targets"], (path.name, p["title"])
            for t in p["targets"]:
                assert t["expr"].strip() and t["refId"], (path.name, p["title"])
                assert "$" not in t["expr"], "queries use fixed windows so they can be tested as written"


def test_provisioning_points_at_the_dashboards_datasource_uid() -> None:
    ds = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert [d["uid"] for d in ds["datasources"]] == ["prometheus"]
    prov = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "cadreflow.yml").read_text())
    assert prov["providers"][0]["type"] == "file" and prov["providers"][0]["options"]["path"]
