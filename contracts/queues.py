"""The Temporal task queues, named once: each service hosts its activities on its own queue (named after the
service), the workflows process hosts every workflow on ``workflows``."""

from __future__ import annotations

WORKFLOWS = "workflows"
REGISTRATION = "registration"
SCHEDULING = "scheduling"
SELECTION = "selection"
PORTAL = "portal"
