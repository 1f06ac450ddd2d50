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
app.add_typer(audit_app, name="audit")
app.add_typer(events_app, name="events")
events_app.add_typer(dlq_app, name="dlq")

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
    from shared.process import run_service

    settings = Settings()
    configure_logging(settings.log_level, process=name)
    asyncio.run(run_service(_spec(name), settings, roles=roles.split(","), port=port))


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
    """Start the embedded profile: Temporal dev server, SQLite databases, embedded event log, every service."""
    from cli.supervisor import PROCESSES, Supervisor, start_temporal, wait_ready
    from shared.auth import demo_users
    from shared.migrate import upgrade

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sup = Supervisor(settings)
    started = time.monotonic()

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the stack exactly like Ctrl-C

    signal.signal(signal.SIGTERM, _terminate)
    try:
        typer.echo("Cadreflow: khởi động / starting (embedded profile) …")
        start_temporal(sup)

        async def migrate_all() -> None:
            for name in SERVICES:
                await upgrade(name, settings.db_url(name))

        asyncio.run(migrate_all())
        for name in PROCESSES:
            sup.spawn(name, [sys.executable, "-m", "cli.main", "serve", name])
        state = wait_ready(settings, sup)
        if not all(state.values()):
            bad = [n for n, ok in state.items() if not ok]
            typer.echo(f"Không sẵn sàng / not ready: {', '.join(bad)} — see {settings.data_dir / 'logs'}", err=True)
            raise typer.Exit(1)
        typer.echo(f"Sẵn sàng sau {time.monotonic() - started:.1f} s / ready.")
        for name in PROCESSES:
            typer.echo(f"  {name:<13} {settings.url_of(name)}   (docs: {settings.url_of(name)}/docs)")
        typer.echo(f"  temporal      {settings.temporal_address}")
        typer.echo("Người dùng mẫu / demo users (cadre token USER):")
        for uid, u in demo_users().items():
            typer.echo(f"  {uid:<20} {u['name']:<26} {', '.join(u['roles'])}")
        typer.echo("Ctrl-C để dừng / to stop.")
        while not sup.dead():
            time.sleep(0.5)
        typer.echo(f"process exited: {', '.join(sup.dead())}", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("\nĐang dừng / stopping …")
    finally:
        sup.stop_all()
        typer.echo("Đã dừng / stopped.")


@app.command()
def token(user: Annotated[str, typer.Argument(help="a demo user id, e.g. btc.nguyenvanhai")]) -> None:
    """Print a bearer token for a demo user or service client of the embedded profile."""
    from shared.auth import demo_users, token_for_demo_user

    settings = Settings()
    try:
        typer.echo(token_for_demo_user(settings, user))
    except KeyError:
        typer.echo(f"unknown user {user}; one of: {', '.join(demo_users())}", err=True)
        raise typer.Exit(2) from None


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
