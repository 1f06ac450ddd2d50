"""The auditor's pages: each service's audit trail with its verification status, and the dossier-read log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.pages.http import get
from services.portal.pages.readers import person_name
from services.portal.pages.session import show
from services.portal.ui.i18n import lang_of, role_label
from shared.auth import Principal
from shared.config import SERVICES
from shared.errors import Problem

router = APIRouter(include_in_schema=False)

# what the chain's recomputation says (shared.audit.verify), in words
WHY = (("body is not JSON", "nội dung bản ghi không đọc được", "the record's body cannot be read"),
       ("sequence gap", "thiếu bản ghi trong chuỗi (số thứ tự bị ngắt)", "a record is missing (a gap in the order)"),
       ("prev_hash", "bản ghi không nối với bản ghi trước", "the record does not link to the one before"),
       ("hash does not match", "nội dung bản ghi đã bị sửa", "the record's content was changed"),
       ("indexed columns", "thông tin tra cứu khác với nội dung đã ký", "the indexed columns differ from the body"))


def why_words(problem: str | None, lang: str) -> str:
    for prefix, vi, en in WHY:
        if problem and problem.startswith(prefix):
            return vi if lang == "vi" else en
    return "—" if not problem else ("lỗi khác" if lang == "vi" else "another fault")


@router.get("/ui/audit")
async def audit_page(request: Request) -> Response:
    lang = lang_of(request)

    async def load(p: Principal) -> dict[str, Any]:
        shown = []
        for service in SERVICES:
            try:
                chains = await get(request, p, service, "/audit/verify")
                recent = await get(request, p, service, "/audit/recent", limit=15)
                problem = None
            except Problem as refused:
                chains, recent, problem = [], [], refused
            bad = [c for c in chains if not c["ok"]]
            shown.append({"service": service, "ok": problem is None and not bad, "problem": problem,
                          "chains": len(chains), "records": sum(int(c["records"]) for c in chains),
                          "bad": [{**c, "why": why_words(c.get("problem"), lang)} for c in bad],
                          "recent": [{**r, "who": person_name(request, (r.get("actor") or {}).get("user_id"))}
                                     for r in recent]})
        return {"services": shown}
    return await show(request, "audit.read", "pages/audit.html", load)


@router.get("/ui/dossier-reads")
async def reads_page(request: Request) -> Response:
    lang = lang_of(request)

    async def load(p: Principal) -> dict[str, Any]:
        reads = await get(request, p, "registration", "/dossier-reads")
        names = {o["id"]: o["full_name"] for o in await get(request, p, "registration", "/officials", limit=5000)}
        rows = [{"official": names.get(r["official_id"], "—"), "reader": person_name(request, r["reader_id"]),
                 "roles": ", ".join(role_label(x, lang) for x in str(r["reader_roles"]).split(",") if x),
                 "at": r["read_at"]} for r in reads]
        return {"rows": rows}
    return await show(request, "dossier_read.read", "pages/reads.html", load)
