"""`cadre import officials|units FILE`: read a CSV/XLSX file and post it in batches to registration's API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from services.registration.adapters.import_files import read_rows
from shared.config import Settings

BATCH = 200
ENDPOINTS = {"officials": "/officials/import", "units": "/units/import"}


def _token(settings: Settings, token: str | None, user: str | None) -> str:
    if token:
        return token
    from shared.auth import token_for_demo_user

    return token_for_demo_user(settings, user or "svc.hrm")


def run_import(settings: Settings, kind: str, path: Path, *, unit: str | None, token: str | None,
               user: str | None, base_url: str | None = None, console: Console | None = None,
               transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Post every row (in batches) to the running service; return the summed report (row errors included)."""
    console = console or Console()
    rows = [{"row": n, "values": v} for n, v in read_rows(path)]
    url = (base_url or settings.url_of("registration")).rstrip("/") + ENDPOINTS[kind]
    headers = {"Authorization": f"Bearer {_token(settings, token, user)}"}
    total: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with httpx.Client(timeout=120, transport=transport) as client, Progress(*columns, console=console) as progress:
        task = progress.add_task(f"Nhập / importing {path.name}", total=len(rows))
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            body: dict[str, Any] = {"rows": batch}
            if kind == "officials" and unit:
                body["unit_code"] = unit
            resp = client.post(url, json=body, headers=headers)
            if resp.status_code != 200:
                raise RuntimeError(f"{resp.status_code}: {resp.text[:500]}")
            report = resp.json()
            for key in ("created", "updated", "unchanged", "rejected"):
                total[key] += report[key]
            total["errors"].extend(report["errors"])
            progress.advance(task, len(batch))
    return total


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    """The summary, then a table of bad rows (row, column, message vi / en)."""
    console = console or Console()
    console.print(f"Mới / created: {report['created']}  Cập nhật / updated: {report['updated']}  "
                  f"Không đổi / unchanged: {report['unchanged']}  Dòng lỗi / rejected: {report['rejected']}")
    if report["errors"]:
        table = Table("Dòng / row", "Cột / column", "Lỗi", "Error")
        for e in report["errors"]:
            table.add_row(str(e["row"]), e["column"], e["message_vi"], e["message_en"])
        console.print(table)
