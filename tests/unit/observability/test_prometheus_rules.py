"""The Prometheus configuration, recording and alert rules, checked by the real promtool (Debian package)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
PROM = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted(PROM.glob("*.rules.yml"))
TEST_FILES = sorted((PROM / "tests").glob("*.yml"))


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.fail("promtool is missing: `apt-get install -y prometheus` (scripts/test.sh installs it)")
    return subprocess.run([tool, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_rule_files_pass_promtool_check() -> None:
    assert [p.name for p in RULE_FILES] == ["alerts.rules.yml", "recording.rules.yml"]
    out = promtool("check", "rules", *map(str, RULE_FILES))
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("config", ["prometheus.embedded.yml", "prometheus.distributed.yml", "prometheus.yml"])
def test_scrape_configs_pass_promtool_check(config: str) -> None:
    out = promtool("check", "config", str(PROM / config))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout


def test_alert_unit_tests_pass() -> None:
    assert TEST_FILES, "no promtool unit tests in deploy/prometheus/tests/"
    out = promtool("test", "rules", *map(str, TEST_FILES))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("SUCCESS") == len(TEST_FILES)


def _alerts() -> dict[str, dict[str, object]]:
    doc = yaml.safe_load((PROM / "alerts.rules.yml").read_text())
    return {r["alert"]: r for g in doc["groups"] for r in g["rules"]}


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in TEST_FILES:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    alerts = set(_alerts())
    assert alerts - fires == set(), "alerts without a test that fires"
    assert alerts - quiet == set(), "alerts without a test that stays quiet"


def test_the_required_alerts_exist_with_severity_and_runbook() -> None:
    alerts = _alerts()
    required = {"CadreProcessDown", "CadreServiceNotReady", "CadreHigh5xxRate", "CadreOutboxStuck",
                "CadreConsumerLagGrowing", "CadreDLQGrowing", "CadreWorkflowFailures",
                "CadreTasksOverdueBeyondGrace", "CadreAuditVerificationFailed", "CadreActivityRetrying",
                "CadreWorkflowStalled"}
    assert required <= set(alerts)
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for name, rule in alerts.items():
        labels, annotations = rule["labels"], rule["annotations"]
        assert isinstance(labels, dict) and labels["severity"] in {"warning", "critical"}
        assert isinstance(annotations, dict)
        assert annotations["runbook"] == f"docs/operations.md#alert-{name.lower()}"
        assert f'<a id="alert-{name.lower()}"></a>' in runbook, f"no runbook section for {name}"


def test_both_profiles_scrape_every_process() -> None:
    processes = {"portal", "registration", "scheduling", "selection", "workflows"}
    for config in ("prometheus.embedded.yml", "prometheus.distributed.yml"):
        doc = yaml.safe_load((PROM / config).read_text())
        job = next(j for j in doc["scrape_configs"] if j["job_name"] == "cadre")
        seen = {sc["labels"]["process"] for sc in job["static_configs"]}
        assert seen == processes, config
        assert doc["rule_files"] == ["recording.rules.yml", "alerts.rules.yml"]
