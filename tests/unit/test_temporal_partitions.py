"""Both Temporal dev servers the project starts run one partition per task queue: `cadre up`'s (cli/supervisor.py)
and the one of `make test`, `make bench` and the distributed profile (deploy/local/temporal.sh). With the default
four, a task written to a partition no poll waits on waits for the forwarder; the campaign test once saw one
committee child's tasks not filed for over a minute on the four-partition server."""

from __future__ import annotations

from pathlib import Path

from cli.supervisor import TEMPORAL_ONE_PARTITION

SCRIPT = Path(__file__).resolve().parents[2] / "deploy/local/temporal.sh"


def test_the_script_server_runs_the_partitions_of_cadre_up() -> None:
    values = [v for v in TEMPORAL_ONE_PARTITION if v != "--dynamic-config-value"]
    assert values == ["matching.numTaskqueueReadPartitions=1", "matching.numTaskqueueWritePartitions=1"]
    script = SCRIPT.read_text()
    for value in values:
        assert f"--dynamic-config-value {value}" in script, value
