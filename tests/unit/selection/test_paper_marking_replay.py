"""PaperMarking runs started before a change still replay: histories recorded by the previous code (a campaign of
the benchmark, before marks were recorded alongside closing the task) replay without a nondeterminism error."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from workflows.selection import workflow_types

HISTORIES = sorted((Path(__file__).resolve().parents[2] / "data" / "histories").glob("paper-marking-*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_a_paper_marked_by_the_previous_code_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    await Replayer(workflows=workflow_types()).replay_workflow(history)


def test_there_are_histories_to_replay() -> None:
    assert len(HISTORIES) >= 2
