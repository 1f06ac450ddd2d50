"""The portal's own settings (prefix ``CADRE_PORTAL_``), built once in the composition root."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.config import Settings


class PortalSettings(BaseSettings):
    """Whether the demo sign-in page is offered outside the embedded profile."""

    model_config = SettingsConfigDict(env_prefix="CADRE_PORTAL_", extra="ignore")

    demo_login: bool = False
    metrics_refresh_seconds: float = 15.0


def demo_login_enabled(settings: Settings, portal: PortalSettings) -> bool:
    """Demo users may sign in only in the embedded profile or when CADRE_PORTAL_DEMO_LOGIN is true."""
    return settings.profile == "embedded" or portal.demo_login
