"""The portal's own settings (prefix ``CADRE_PORTAL_``), built once in the composition root."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.config import Settings


class PortalSettings(BaseSettings):
    """Whether the demo sign-in page is offered outside the embedded profile; where the directory of people is."""

    model_config = SettingsConfigDict(env_prefix="CADRE_PORTAL_", extra="ignore")

    demo_login: bool = False
    metrics_refresh_seconds: float = 15.0
    # the reconciler (services/portal/service/reconciler.py): a task ``completing`` for longer than the grace is settled
    # with its workflow, at start-up and every ``reconcile_every_seconds``; the grace outlasts an Update in flight
    reconcile_every_seconds: float = 60.0
    completing_grace_seconds: float = 120.0
    # a workflow with a task still undecided this long after its due time, and no task of it decided since, is
    # stalled (the cadre_workflows_stalled gauge, services/portal/service/stalls.py)
    stalled_after_seconds: float = 24 * 3600.0
    # the people tasks may be handed to (services/portal/adapters/people.py); the shape of shared/demo_users.json
    directory_file: Path | None = None


def demo_login_enabled(settings: Settings, portal: PortalSettings) -> bool:
    """Demo users may sign in only in the embedded profile or when CADRE_PORTAL_DEMO_LOGIN is true."""
    return settings.profile == "embedded" or portal.demo_login
