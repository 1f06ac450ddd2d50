"""Each role's navigation: the pages whose action the person's roles allow (the same table as the APIs)."""

from __future__ import annotations

from services.portal.pages.words import WORDS
from services.portal.ui.i18n import LANGS
from services.portal.ui.i18n import WORDS as PORTAL_WORDS
from shared.auth import Principal
from shared.authz import PERMISSIONS

# (page, its label, the action it needs: the same action as the API it reads)
NAV: tuple[tuple[str, str, str], ...] = (
    ("/ui/inbox", "inbox", "task.read"),
    ("/ui/officials", "officials_all", "official.read"),
    ("/ui/officials/upload", "upload", "official.import"),
    ("/ui/needs/new", "register", "registration.submit"),
    ("/ui/registrations", "registrations_all", "registration.read"),
    ("/ui/conflicts", "conflicts", "conflict.read"),
    ("/ui/compliance", "compliance", "compliance.read"),
    ("/ui/classes", "classes", "catalogue.read"),
    ("/ui/plans", "plans", "catalogue.read"),
    ("/ui/campaigns", "campaigns", "campaign.read"),
    ("/ui/report", "report", "report.read"),
    ("/ui/audit", "audit", "audit.read"),
    ("/ui/dossier-reads", "reads", "dossier_read.read"),
    ("/ui/away", "away", "task.substitute"),
)


def may(principal: Principal, action: str) -> bool:
    """Whether the person's roles allow the action (unit scope is the API's to apply)."""
    return bool(principal.roles.intersection(PERMISSIONS.get(action, frozenset())))


def nav_links(principal: Principal | None, lang: str, path: str = "") -> list[tuple[str, str, bool]]:
    """(page, label, is the current page) for each page the person may use."""
    if principal is None:
        return []
    i = LANGS.index(lang)
    out = []
    for href, key, action in NAV:
        if may(principal, action):
            label = (WORDS.get(key) or PORTAL_WORDS[key])[i]
            out.append((href, label, path == href))
    return out


def landing(principal: Principal) -> str:
    """Where the person starts: the inbox for those who decide tasks, the audit trail for auditors, else the first
    page they may use."""
    links = [href for href, _, _ in nav_links(principal, "vi")]
    for first in ("/ui/inbox", "/ui/audit"):
        if first in links:
            return first
    return links[0] if links else "/ui/signin"
