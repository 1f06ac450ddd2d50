"""What the portal's routers share: the directory of people and the Update sender the composition root put on
the app."""

from __future__ import annotations

from fastapi import Request

from services.portal.adapters.people import Directory
from services.portal.adapters.updates import UpdateSender


def directory_of(request: Request) -> Directory:
    """Who the portal can hand a task to (shared.authz checks that they could decide it)."""
    directory: Directory = request.app.state.directory
    return directory


def sender_of(request: Request) -> UpdateSender:
    """What sends a sealed decision to its workflow as the Update."""
    sender: UpdateSender = request.app.state.update_sender
    return sender
