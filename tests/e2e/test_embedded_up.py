"""`cadre up` (what `make run` starts): the embedded profile comes up with only Python, the unit slice works
through the embedded event log and the Temporal dev server, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.integration


def _children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid,pgid,ppid,args"], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines()[1:]:
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] == str(pid):
            found.append(int(parts[0]))
    return found


def test_cadre_up_serves_every_process_and_stops_cleanly(tmp_path: Path) -> None:
    ports = {n: free_port() for n in ("portal", "registration", "scheduling", "selection", "workflows")}
    env = {**os.environ, "CADRE_DATA_DIR": str(tmp_path / "var"), "CADRE_PORTS": json.dumps(ports),
           "CADRE_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}", "CADRE_PROFILE": "embedded"}
    env.pop("CADRE_DATABASE_URL", None)
    log = (tmp_path / "up.log").open("w")
    up = subprocess.Popen([sys.executable, "-m", "cli.main", "up"], cwd=ROOT, env=env, stdout=log,
                          stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    try:
        deadline = started + 60
        ready: set[str] = set()
        while len(ready) < len(ports):
            assert up.poll() is None, (tmp_path / "up.log").read_text()
            assert time.monotonic() < deadline, f"not ready within 60 s: {set(ports) - ready}"
            for name, port in ports.items():
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        ready.add(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        metrics = httpx.get(f"http://127.0.0.1:{ports['registration']}/metrics").text
        assert "cadre_http_requests_total" in metrics and "temporal_" in metrics

        token = subprocess.run([sys.executable, "-m", "cli.main", "token", "btc.nguyenvanhai"], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(f"http://127.0.0.1:{ports['registration']}/units", headers=headers,
                             json={"code": "BUDANG", "name": "Huyện Bù Đăng", "kind": "district"})
        assert created.status_code == 201, created.text
        deadline = time.monotonic() + 30
        while True:
            known = httpx.get(f"http://127.0.0.1:{ports['scheduling']}/units", headers=headers).json()
            if [u["name"] for u in known] == ["Huyện Bù Đăng"]:
                break
            assert time.monotonic() < deadline, "the unit never reached scheduling"
            time.sleep(0.3)
    finally:
        children = _children_of(up.pid)
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
    assert "Đã dừng / stopped." in (tmp_path / "up.log").read_text()
    time.sleep(0.5)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), \
            f"process {pid} outlived cadre up"
    # the data survive a restart: the SQLite files and the Temporal database are under the data dir
    assert (tmp_path / "var" / "registration.db").exists() and (tmp_path / "var" / "temporal.db").exists()
