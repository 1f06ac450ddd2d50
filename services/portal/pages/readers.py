"""What several pages read from the other services: unit and programme names, people's names (HTTP APIs only)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request

from services.portal.pages.http import get
from services.portal.ui.i18n import lang_of
from shared.auth import Principal
from shared.errors import Problem
from shared.vietnamese import sort_key, sort_key_name


async def unit_names(request: Request, principal: Principal) -> dict[str, str]:
    """Unit code → name, for the units the person may read (empty when the list cannot be read)."""
    try:
        units = await get(request, principal, "registration", "/units")
    except Problem:
        return {}
    return {str(u["code"]): str(u["name"]) for u in units}


async def programme_names(request: Request, principal: Principal) -> dict[str, str]:
    """Programme code → name (in force today), in the page's language: the English name where the catalogue has
    one, else the Vietnamese name (a proper name is better shown as it is than made up)."""
    try:
        found = await get(request, principal, "scheduling", "/programmes")
    except Problem:
        return {}
    return {str(p.get("programme_code") or p.get("code")): programme_name(p, lang_of(request)) for p in found}


def programme_name(programme: dict[str, Any], lang: str) -> str:
    """A catalogue programme's name in a language: the English name on English pages where it has one."""
    return str((lang == "en" and programme.get("name_en")) or programme["name"])


def by_name(rows: list[dict[str, Any]], key: str = "full_name") -> list[dict[str, Any]]:
    """People in Vietnamese order (given name, family name, middle names)."""
    return sorted(rows, key=lambda r: sort_key_name(str(r.get(key) or "")))


def by_text(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows in Vietnamese order of one text field."""
    return sorted(rows, key=lambda r: sort_key(str(r.get(key) or "")))


def person_name(request: Request, user_id: str | None) -> str:
    """A portal user's name from the directory (a service client or an unknown user reads as a dash)."""
    if not user_id:
        return "—"
    directory = getattr(request.app.state, "directory", None)
    found = directory.find(user_id) if directory is not None else None
    return str(found.name) if found is not None and found.name else "—"


_REF = re.compile(r"\b(registration|class):([A-Za-z0-9_.-]+)")


def plain_refs(message: str, registrations: list[dict[str, Any]], classes: dict[str, str], lang: str) -> str:
    """A finding's references to another registration or class (``registration:ab12cd34``, ``class:X-01``) in
    words: the class it is for, or "another registration"."""
    def words(m: re.Match[str]) -> str:
        kind, ref = m.group(1), m.group(2)
        if kind == "class":
            return ("lớp " if lang == "vi" else "class ") + ref
        found = next((r for r in registrations if str(r.get("id", "")).startswith(ref)), None)
        code = classes.get(str(found.get("class_id"))) if found else None
        if code:
            return ("đăng ký lớp " if lang == "vi" else "the registration for class ") + code
        return "một đăng ký khác" if lang == "vi" else "another registration"
    return _REF.sub(words, message)
