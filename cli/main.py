"""The `cadre` command."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import sys
import time
from typing import Annotated

import typer

from shared.config import SERVICES, Settings
from shared.logging import configure_logging

app = typer.Typer(help="Cadreflow — đào tạo, bồi dưỡng và tạo nguồn cán bộ", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail / Nhật ký kiểm toán")
events_app = typer.Typer(help="Events / Sự kiện")
dlq_app = typer.Typer(help="Dead letters / Thư lỗi")
import_app = typer.Typer(help="Import CSV/XLSX / Nhập dữ liệu")
app.add_typer(audit_app, name="audit")
app.add_typer(import_app, name="import")
app.add_typer(events_app, name="events")
events_app.add_typer(dlq_app, name="dlq")
scenario_app = typer.Typer(help="Scenarios / Kịch bản")
report_app = typer.Typer(help="Reports / Báo cáo")
app.add_typer(scenario_app, name="scenario")
app.add_typer(report_app, name="report")

SPECS = {name: f"services.{name}.main" for name in SERVICES} | {"workflows": "workflows.main"}


def _spec(name: str):  # type: ignore[no-untyped-def]
    if name not in SPECS:
        raise typer.BadParameter(f"unknown process {name}; one of {', '.join(SPECS)}")
    return importlib.import_module(SPECS[name]).spec()


@app.command()
def serve(name: Annotated[str, typer.Argument(help="registration | scheduling | selection | portal | workflows")],
          roles: Annotated[str, typer.Option(help="api,worker,relay,consumers")] = "api,worker,relay,consumers",
          port: Annotated[int | None, typer.Option()] = None) -> None:
    """Run one service's roles in this process."""
    from cli.supervisor import restore_stop_signals
    from shared.process import RoleFailed, run_loop, run_service, tune_gc

    restore_stop_signals()  # started from a background job, SIGINT may come ignored; the stop handlers need it
    settings = Settings()
    configure_logging(settings.log_level, process=name)
    spec = _spec(name)
    tune_gc()  # once start-up has built what the process keeps
    try:
        run_loop(run_service(spec, settings, roles=roles.split(","), port=port))
    except RoleFailed as exc:
        typer.echo(f"{name} stopped: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def migrate(service: Annotated[str | None, typer.Argument()] = None) -> None:
    """Bring each service's database to the latest schema."""
    from shared.migrate import upgrade

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def go() -> None:
        for name in [service] if service else SERVICES:
            await upgrade(name, settings.db_url(name))
            typer.echo(f"migrated {name}")

    asyncio.run(go())


@app.command()
def up() -> None:
    """Start the stack. Embedded profile (the default): Temporal dev server, SQLite databases, embedded event log,
    every service. Distributed profile: every role process twice, on the configured PostgreSQL, Kafka and Temporal."""
    from cli.supervisor import PROCESSES, Supervisor, start_temporal, wait_for_temporal, wait_ready
    from shared.auth import demo_users
    from shared.migrate import upgrade

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sup = Supervisor(settings)
    started = time.monotonic()

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (and SIGINT) stop the stack exactly like Ctrl-C

    # both installed explicitly: a shell that starts `cadre up` as a background job hands it SIGINT ignored, and
    # Python then never turns it into KeyboardInterrupt (the docs promise `kill -INT` stops it)
    signal.signal(signal.SIGINT, _terminate)
    signal.signal(signal.SIGTERM, _terminate)
    distributed = settings.profile == "distributed"
    try:
        typer.echo(f"Cadreflow: khởi động / starting ({settings.profile} profile) …")
        if distributed:
            from cli import distributed as dist

            dist.refuse_unless_distributed(settings)
        else:
            start_temporal(sup)

        async def migrate_all() -> None:
            for name in SERVICES:
                await upgrade(name, settings.db_url(name))

        asyncio.run(migrate_all())  # while the Temporal dev server starts (about 4 s)
        if distributed:
            replicas = dist.plan(settings)
            dist.spawn_all(sup, replicas)
            bad = dist.wait_ready(settings, sup, replicas)
        else:
            wait_for_temporal(sup)
            for name in PROCESSES:
                sup.spawn(name, [sys.executable, "-m", "cli.main", "serve", name])
            state = wait_ready(settings, sup)
            bad = [n for n, ok in state.items() if not ok]
        if bad:  # at start-up a process that never became ready is an error
            typer.echo(f"Không sẵn sàng / not ready: {', '.join(bad)} — see {settings.data_dir / 'logs'}", err=True)
            raise typer.Exit(1)
        typer.echo(f"Sẵn sàng sau {time.monotonic() - started:.1f} s / ready.")
        for name in PROCESSES:
            typer.echo(f"  {name:<13} {settings.url_of(name)}   (docs: {settings.url_of(name)}/docs)")
        typer.echo(f"  temporal      {settings.temporal_address}")
        if distributed:
            typer.echo(f"  {len(replicas)} tiến trình / role processes ({settings.replicas} of each), "
                       f"logs in {settings.data_dir / 'logs'}")
        else:
            typer.echo("Người dùng mẫu / demo users (cadre token USER):")
            for uid, u in demo_users().items():
                typer.echo(f"  {uid:<20} {u['name']:<26} {', '.join(u['roles'])}")
        typer.echo("Ctrl-C để dừng / to stop.")
        while True:  # a child that exits is restarted (cli.supervisor); the stack stops only when asked
            sup.watch()
            time.sleep(0.5)
    except KeyboardInterrupt:
        typer.echo("\nĐang dừng / stopping …")
    finally:
        sup.stop_all()
        typer.echo("Đã dừng / stopped.")


@app.command()
def token(user: Annotated[str, typer.Argument(help="a demo user id, e.g. btc.nguyenvanhai")],
          service: Annotated[list[str] | None, typer.Option(
              "--service", help="the services the token is for (repeatable; default: every service)")] = None,
          ) -> None:
    """Print a bearer token for a demo user or service client of the embedded profile (refused in any other)."""
    from shared.auth import demo_users, token_for_demo_user

    settings = Settings()
    if settings.profile != "embedded" or settings.real_components:
        typer.echo("cadre token works in the embedded profile only (demo users have no place in a real deployment)"
                   " / chỉ dùng được ở cấu hình nhúng", err=True)
        raise typer.Exit(2)
    unknown = sorted(set(service or []) - set(SERVICES))
    if unknown:
        typer.echo(f"unknown service {', '.join(unknown)}; one of: {', '.join(SERVICES)}", err=True)
        raise typer.Exit(2)
    try:
        typer.echo(token_for_demo_user(settings, user, audience=service or SERVICES))
    except KeyError:
        typer.echo(f"unknown user {user}; one of: {', '.join(demo_users())}", err=True)
        raise typer.Exit(2) from None


keys_app = typer.Typer(help="Keys / Khóa")
app.add_typer(keys_app, name="keys")


@keys_app.command("portal")
def portal_key(out: Annotated[str, typer.Option("--out", help="write the private key to this file (0600)")] = "") \
        -> None:
    """A new Ed25519 key for the portal to seal completions: the private key (to --out, or printed) and the public
    key for CADRE_PORTAL_PUBLIC_KEYS of the workflow workers."""
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shared import seal

    private = Ed25519PrivateKey.generate()
    if out:
        path = Path(out)
        seal.write_private_key(path, private)
        typer.echo(f"private key / khóa bí mật: {path} (CADRE_PORTAL_SIGNING_KEY_FILE)")
    else:
        typer.echo(f"CADRE_PORTAL_SIGNING_KEY={seal.private_text(private)}")
    typer.echo(f"CADRE_PORTAL_PUBLIC_KEYS=[\"{seal.public_text(private.public_key())}\"]")


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Readiness and key gauges of every process / Trạng thái các tiến trình (exit 1 when one is not ready)."""
    from cli.status_cmd import status as show_status

    raise typer.Exit(0 if show_status(Settings(), as_json=as_json) else 1)


@audit_app.command("verify")
def audit_verify(service: Annotated[str | None, typer.Argument()] = None) -> None:
    """Recompute every audit chain; exit non-zero naming the first bad record."""
    from cli.audit_cmd import verify_all

    settings = Settings()
    ok = asyncio.run(verify_all(settings, [service] if service else list(SERVICES)))
    raise typer.Exit(0 if ok else 1)


@dlq_app.command("list")
def dlq_list(topic: Annotated[str | None, typer.Option(help="an original topic, e.g. cadre.registration.v1")] = None,
             ) -> None:
    """List dead-lettered messages with their errors."""
    from cli.dlq_cmd import list_dead_letters

    list_dead_letters(Settings(), topic)


@dlq_app.command("replay")
def dlq_replay(topic: Annotated[str, typer.Option(help="the original topic")],
               offset: Annotated[int | None, typer.Option(help="one dead letter's offset; all when omitted")] = None,
               partition: Annotated[int | None, typer.Option()] = None) -> None:
    """Publish dead letters back to their original topic (consumers are idempotent)."""
    from cli.dlq_cmd import replay_dead_letters

    n = replay_dead_letters(Settings(), topic, partition=partition, offset=offset)
    typer.echo(f"replayed {n}")


def _import(kind: str, file: str, unit: str | None, token: str | None, user: str | None) -> None:
    from pathlib import Path

    from cli.import_cmd import print_report, run_import

    try:
        report = run_import(Settings(), kind, Path(file), unit=unit, token=token or os.environ.get("CADRE_TOKEN"),
                            user=user)
    except (RuntimeError, OSError, ValueError) as exc:
        typer.echo(f"Nhập thất bại / import failed: {exc}", err=True)
        raise typer.Exit(2) from None
    print_report(report)
    raise typer.Exit(1 if report["rejected"] else 0)


@import_app.command("officials")
def import_officials(file: Annotated[str, typer.Argument(help="a .csv or .xlsx file")],
                     unit: Annotated[str | None, typer.Option(help="unit of rows without unit_code")] = None,
                     token: Annotated[str | None, typer.Option(help="bearer token (or CADRE_TOKEN)")] = None,
                     user: Annotated[str | None, typer.Option(help="a demo user to act as")] = None) -> None:
    """Import officials (upsert by personal id) through registration's API, with a progress bar."""
    _import("officials", file, unit, token, user)


@import_app.command("units")
def import_units(file: Annotated[str, typer.Argument(help="a .csv or .xlsx file")],
                 token: Annotated[str | None, typer.Option(help="bearer token (or CADRE_TOKEN)")] = None,
                 user: Annotated[str | None, typer.Option(help="a demo user to act as")] = None) -> None:
    """Import units (code, name, kind, parent_code) through registration's API."""
    _import("units", file, None, token, user)


@scenario_app.command("run")
def scenario_run(file: Annotated[str, typer.Argument(help="a scenario YAML file, e.g. scenarios/binh-phuoc-2023.yaml")],
                 as_json: Annotated[bool, typer.Option("--json", help="machine-readable outcome")] = False,
                 no_audit: Annotated[bool, typer.Option("--no-audit", help="skip `cadre audit verify`")] = False,
                 ) -> None:
    """Play a scenario against the running stack through its public APIs and print the outcome."""
    from pathlib import Path

    from cli.scenario.command import run_scenario

    raise typer.Exit(run_scenario(Settings(), Path(file), as_json=as_json, verify_audit=not no_audit))


@app.command()
def demo(as_json: Annotated[bool, typer.Option("--json", help="machine-readable outcome")] = False) -> None:
    """Start the embedded stack if needed and play the Bình Phước 2023 scenario / Chạy kịch bản mẫu."""
    from cli.demo_cmd import run_demo

    raise typer.Exit(run_demo(Settings(), as_json=as_json))


@report_app.command("annual")
def report_annual(year: Annotated[int, typer.Option(help="the report's year")],
                  format: Annotated[str, typer.Option(help="json | xlsx | html")] = "json",
                  out: Annotated[str | None, typer.Option(help="output file (default: stdout for json)")] = None,
                  lang: Annotated[str, typer.Option(help="vi | en")] = "vi",
                  user: Annotated[str, typer.Option(help="a demo user to act as")] = "btc.nguyenvanhai",
                  token: Annotated[str | None, typer.Option(help="bearer token (or CADRE_TOKEN)")] = None) -> None:
    """The annual training report computed from records / Báo cáo năm (JSON, XLSX or HTML with charts)."""
    from pathlib import Path

    from cli.report_cmd import ReportFailed, fetch_annual, write_report
    from shared.auth import token_for_demo_user

    if format not in ("json", "xlsx", "html") or lang not in ("vi", "en"):
        raise typer.BadParameter("format: json | xlsx | html; lang: vi | en")
    settings = Settings()
    try:
        report = fetch_annual(settings, year, lang=lang,
                              token=token or os.environ.get("CADRE_TOKEN") or token_for_demo_user(settings, user))
    except ReportFailed as exc:
        typer.echo(f"Không lấy được báo cáo / report failed: {exc}", err=True)
        raise typer.Exit(1) from None
    written = write_report(report, format, Path(out) if out else None, lang)
    if written is not None:
        typer.echo(f"Đã ghi / written: {written}")


def main() -> None:
    """Console entry point; ends with os._exit (temporalio's runtime threads may abort a normal exit)."""
    status = 0
    try:
        result = app(standalone_mode=False)
        status = result if isinstance(result, int) else 0
    except typer.Exit as exc:
        status = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        status = 130
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except Exception as exc:
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            status = exc.exit_code
        else:
            raise
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
