"""`cadre demo`: make sure the embedded stack runs (start `cadre up` if the ports do not answer), then play the
bundled Bình Phước 2023 scenario and show its report."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import typer

from cli.scenario.command import run_scenario
from cli.scenario.runner import check_stack
from shared.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "binh-phuoc-2023.yaml"


def ensure_stack(settings: Settings, timeout: float = 180) -> subprocess.Popen[bytes] | None:
    """None when every service already answers; else `cadre up` started in the background, once ready."""
    if not check_stack(settings):
        return None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log = (settings.data_dir / "demo-up.log").open("ab")
    typer.echo(f"Khởi động hệ thống / starting the embedded stack (`cadre up`, log {settings.data_dir}/demo-up.log) …")
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while check_stack(settings):
        if proc.poll() is not None:
            typer.echo(f"`cadre up` exited ({proc.returncode}); see {settings.data_dir}/demo-up.log", err=True)
            raise typer.Exit(2)
        if time.monotonic() > deadline:
            typer.echo("Hệ thống chưa sẵn sàng / the stack did not become ready in time", err=True)
            raise typer.Exit(2)
        time.sleep(1)
    return proc


def run_demo(settings: Settings, *, scenario: Path | None = None, as_json: bool = False) -> int:
    """Start what is missing, play the demo scenario, print the outcome; the stack keeps running afterwards."""
    proc = ensure_stack(settings)
    code = run_scenario(settings, scenario or DEMO, as_json=as_json, once=True)
    if proc is not None:
        typer.echo(f"Hệ thống tiếp tục chạy / the stack keeps running (pid {proc.pid}); stop it with "
                   f"`kill -INT {proc.pid}` (like Ctrl-C).", err=as_json)
    if code == 0 and not as_json:
        typer.echo("Báo cáo / report: cadre report annual --year 2023 --format html --out bao-cao-2023.html")
    return code
