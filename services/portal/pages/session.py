"""Who is signed in to the role pages, and the page (or refusal page) they get."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.portal.pages.nav import may
from services.portal.pages.words import code_word, fill, translator
from services.portal.ui.i18n import lang_of
from shared.auth import PORTAL_SESSION, SESSION_COOKIE, Principal, decode_token
from shared.errors import Problem
from shared.logging import get_logger

log = get_logger(__name__)
Loader = Callable[[Principal], Awaitable[dict[str, Any]]]


def signed_in(request: Request) -> Principal | None:
    """The person of the session cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return decode_token(request.app.state.settings, token, audience=PORTAL_SESSION)
    except Problem:
        return None


def render(request: Request, name: str, principal: Principal | None, *, status: int = 200,
           **values: Any) -> Response:
    """A role page in the portal's layout, with the pages' words and the codes in words."""
    from services.portal.api.ui import page  # the portal's renderer (its layout, language switch and helpers)

    lang = lang_of(request)
    return page(request, name, status=status, principal=principal, w=translator(lang),
                code=lambda table, c: code_word(table, c, lang),
                wf=lambda key, **kw: fill(key, lang, **kw), path=request.url.path,
                may=lambda action: principal is not None and may(principal, action), **values)


def denied(request: Request, principal: Principal) -> Response:
    """The 403 page: this page is not for the person's role (in their language)."""
    log.info("page_denied", path=request.url.path, actor=principal.user_id)
    return render(request, "pages/denied.html", principal, status=403)


def admitted(request: Request, action: str) -> Principal | Response:
    """The signed-in person, if they may take the page's action; else where they go instead: the sign-in page, or
    the 403 page in their language. Every role page (GET and POST) passes this one gate."""
    principal = signed_in(request)
    if principal is None:
        return RedirectResponse("/ui/signin", status_code=303)
    if not may(principal, action):
        return denied(request, principal)
    return principal


async def show(request: Request, action: str, template: str, load: Loader) -> Response:
    """Sign-in, the page's action, then the page; a refusal of the API read is shown in words."""
    principal = admitted(request, action)
    if isinstance(principal, Response):
        return principal
    try:
        values = await load(principal)
    except Problem as problem:
        return render(request, "pages/problem.html", principal, status=problem.status, problem=problem)
    return render(request, template, principal, **values)
