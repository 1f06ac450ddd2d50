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
        time.sleep(0.3)
    return proc


SIGN_IN_AS = (("btc.nguyenvanhai", "Ban Tổ chức Tỉnh ủy: kế hoạch, lớp, xung đột, tuân thủ, đăng ký cần xem xét"),
              ("tc.dongxoai", "cán bộ tổ chức Thành phố Đồng Xoài: cán bộ và đăng ký của đơn vị"),
              ("gk.hoangminhduc", "giám khảo: bài viết, phỏng vấn được giao"))


def sign_in_hint(settings: Settings) -> list[str]:
    """Where the portal is and whom to sign in as (demo users of the embedded profile)."""
    lines = [f"Cổng thông tin / portal: {settings.url_of('portal')}/ui/signin — đăng nhập với / sign in as:"]
    lines += [f"  {user} — {who}" for user, who in SIGN_IN_AS]
    return lines


def run_demo(settings: Settings, *, scenario: Path | None = None, as_json: bool = False) -> int:
    """Start what is missing, play the demo scenario, print the outcome; the stack keeps running afterwards."""
    started = time.monotonic()
    proc = ensure_stack(settings)
    ready = time.monotonic() - started
    code = run_scenario(settings, scenario or DEMO, as_json=as_json, once=True)
    typer.echo(f"Thời gian chạy demo / demo run: {time.monotonic() - started:.1f} s "
               f"(khởi động hệ thống / stack start {ready:.1f} s)", err=as_json)
    if proc is not None:
        typer.echo(f"Hệ thống tiếp tục chạy / the stack keeps running (pid {proc.pid}); stop it with "
                   f"`kill -INT {proc.pid}` (like Ctrl-C).", err=as_json)
    if code == 0 and not as_json:
        typer.echo("Báo cáo / report: cadre report annual --year 2023 --format html --out bao-cao-2023.html")
    for line in sign_in_hint(settings):
        typer.echo(line, err=as_json)
    return code
