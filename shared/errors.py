"""RFC 9457 problem+json errors, in Vietnamese and English, for every HTTP API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


@dataclass
class FieldError:
    """One field's complaint, in both languages."""

    field: str
    code: str
    message_en: str
    message_vi: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message_en": self.message_en,
                "message_vi": self.message_vi}


@dataclass
class Problem(Exception):
    """An error a client can act on; rendered as problem+json."""

    status: int
    code: str
    title_en: str
    title_vi: str
    detail_en: str = ""
    detail_vi: str = ""
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self, instance: str) -> dict[str, Any]:
        """The RFC 9457 document."""
        doc: dict[str, Any] = {
            "type": f"https://cadreflow.example/problems/{self.code}",
            "title": self.title_en,
            "status": self.status,
            "detail": self.detail_en or self.title_en,
            "instance": instance,
            "code": self.code,
            "title_vi": self.title_vi,
            "detail_vi": self.detail_vi or self.title_vi,
        }
        if self.errors:
            doc["errors"] = [e.as_dict() for e in self.errors]
        doc.update(self.extra)
        return doc


def not_found(what_en: str, what_vi: str, ident: object) -> Problem:
    """A 404 for a missing resource."""
    return Problem(404, "not_found", f"{what_en} not found", f"Không tìm thấy {what_vi}",
                   f"{what_en} {ident} does not exist", f"{what_vi} {ident} không tồn tại")


def conflict(code: str, en: str, vi: str, *, field_name: str | None = None) -> Problem:
    """A 409 for a request that clashes with existing state."""
    errors = [FieldError(field_name, code, en, vi)] if field_name else []
    return Problem(409, code, "Conflict with existing data", "Xung đột với dữ liệu hiện có", en, vi, errors)


def invalid(field_name: str, code: str, en: str, vi: str) -> Problem:
    """A 422 naming one field."""
    return Problem(422, "validation_failed", "The request is not valid", "Yêu cầu không hợp lệ",
                   en, vi, [FieldError(field_name, code, en, vi)])


_VI_BY_TYPE = {
    "missing": "Thiếu trường bắt buộc",
    "string_type": "Phải là chuỗi ký tự",
    "int_type": "Phải là số nguyên",
    "int_parsing": "Phải là số nguyên",
    "float_parsing": "Phải là số",
    "bool_parsing": "Phải là đúng/sai",
    "date_from_datetime_parsing": "Ngày không hợp lệ",
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD)",
    "datetime_parsing": "Thời điểm không hợp lệ",
    "string_pattern_mismatch": "Không đúng định dạng",
    "string_too_short": "Quá ngắn",
    "string_too_long": "Quá dài",
    "enum": "Giá trị không thuộc danh sách cho phép",
    "literal_error": "Giá trị không thuộc danh sách cho phép",
    "greater_than_equal": "Giá trị quá nhỏ",
    "greater_than": "Giá trị quá nhỏ",
    "less_than_equal": "Giá trị quá lớn",
    "less_than": "Giá trị quá lớn",
    "uuid_parsing": "Mã định danh (UUID) không hợp lệ",
    "uuid_type": "Mã định danh (UUID) không hợp lệ",
    "json_invalid": "Nội dung JSON không hợp lệ",
    "extra_forbidden": "Trường không được phép",
    "value_error": "Giá trị không hợp lệ",
    "model_attributes_type": "Phải là một đối tượng JSON",
    "dict_type": "Phải là một đối tượng JSON",
    "list_type": "Phải là một danh sách",
}


def validation_problem(exc: RequestValidationError) -> Problem:
    """Turn FastAPI's validation errors into field-level messages in both languages."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        etype = str(err.get("type", "value_error"))
        ctx = err.get("ctx") or {}
        vi = ctx.get("message_vi") if isinstance(ctx, dict) else None
        msg = str(err.get("msg", "invalid"))
        if etype == "value_error" and msg.startswith("Value error, "):
            msg = msg.removeprefix("Value error, ")
        errors.append(FieldError(".".join(loc) or "body", etype, msg,
                                 str(vi or _VI_BY_TYPE.get(etype, "Giá trị không hợp lệ"))))
    names = ", ".join(e.field for e in errors)
    return Problem(422, "validation_failed", "The request is not valid", "Yêu cầu không hợp lệ",
                   f"Invalid fields: {names}", f"Các trường không hợp lệ: {names}", errors)


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    """Render a problem as an RFC 9457 response."""
    return JSONResponse(problem.body(request.url.path), status_code=problem.status, media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the API as problem+json; nothing leaks a bare 500 page."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(validation_problem(exc), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        titles = {401: ("Not authenticated", "Chưa xác thực"), 403: ("Forbidden", "Không có quyền"),
                  404: ("Not found", "Không tìm thấy"), 405: ("Method not allowed", "Phương thức không hỗ trợ")}
        en, vi = titles.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        problem = Problem(exc.status_code, f"http_{exc.status_code}", en, vi, str(exc.detail), vi)
        resp = problem_response(problem, request)
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    async def on_no_policy(request: Request, exc: Exception) -> JSONResponse:
        # a date before (or after) every version of a rule: the caller asked about a time no rule covers
        on = getattr(exc, "on", None)
        rule = getattr(exc, "rule_key", "")
        when = on.isoformat() if on is not None else "?"
        problem = Problem(422, "no_policy_in_force", "No rule in force on that date",
                          "Không có quy định áp dụng vào ngày đó",
                          f"No version of the rule '{rule}' is in force on {when}; choose a later date or year",
                          f"Không có phiên bản nào của quy định '{rule}' áp dụng vào ngày {when}; "
                          "hãy chọn ngày hoặc năm sau đó")
        return problem_response(problem, request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled_error", path=request.url.path, error=repr(exc), exc_info=exc)
        problem = Problem(500, "internal_error", "Internal error", "Lỗi hệ thống",
                          "The request could not be completed; nothing was changed.",
                          "Không thể hoàn tất yêu cầu; không có thay đổi nào được lưu.")
        return problem_response(problem, request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    from shared.policy import PolicyNotInForceError

    app.add_exception_handler(PolicyNotInForceError, on_no_policy)
    app.add_exception_handler(Exception, on_unexpected)
