"""Every error leaves as application/problem+json (RFC 9457), mapped in this one place."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

from application.errors import (
    CaseLedgerError,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    LogUnreadable,
    NotFound,
    StaleVersion,
    StoreNotInitialised,
    StoreUnavailable,
)
from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.registers.refs import NotInRegister
from web.messages import Message, in_chinese

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Problem:
    """A problem type: stable URI, status, and the title in English and Chinese."""

    slug: str
    status: int
    title: str
    title_zh: str

    @property
    def type(self) -> str:
        return f"urn:caseledger:problem:{self.slug}"


VALIDATION = Problem("validation", 422, "The request is not valid", "请求内容不合法")
NOT_IN_REGISTER = Problem(
    "not-in-register", 422, "A value names nothing in force in its register", "所填内容不在登记簿中或未在用"
)
MALFORMED = Problem("malformed-request", 400, "The request cannot be read", "请求无法解析")
RULE = Problem("rule-violation", 409, "A rule refuses this action", "该操作不符合办理规则")
CONFLICT = Problem("conflict", 409, "Changed concurrently; reload and decide again", "案件已被他人修改，请刷新后重试")
STALE = Problem("stale-version", 412, "The case has changed since the version you saw", "案件版本已变化")
PRECONDITION_REQUIRED = Problem(
    "precondition-required", 428, "Send If-Match with the version you saw", "请在 If-Match 中提供案件版本"
)
NOT_FOUND = Problem("not-found", 404, "Not found", "未找到")
FORBIDDEN = Problem("forbidden", 403, "Your role or unit does not allow this", "您的角色或单位无权执行此操作")
UNAUTHENTICATED = Problem("unauthenticated", 401, "A valid bearer token is required", "需要有效的访问令牌")
SIGN_IN_FAILED = Problem(
    "sign-in-failed",
    401,
    "Wrong username or password, or the account may not sign in",
    "用户名或口令错误，或该账户不能登录",
)
PASSWORD_CHANGE_REQUIRED = Problem(
    "password-change-required", 403, "Change the initial password first", "请先修改初始口令"
)
KEY_REUSED = Problem(
    "idempotency-key-reused", 422, "This Idempotency-Key was used for a different request", "该幂等键已用于其他请求"
)
TOO_LARGE = Problem("payload-too-large", 413, "The request body is too large", "请求内容过大")
UNSUPPORTED = Problem("unsupported-media-type", 415, "Send application/json", "请使用 application/json")
RATE_LIMITED = Problem("rate-limited", 429, "Too many failed attempts; wait and retry", "失败次数过多，请稍后再试")
METHOD = Problem("method-not-allowed", 405, "Method not allowed", "不支持该请求方法")
UNAVAILABLE = Problem(
    "store-unavailable", 503, "The case store is unavailable; retry shortly", "案件库暂时无法访问，请稍后重试"
)
INTERNAL = Problem("internal", 500, "Internal error", "系统内部错误")
NOT_CAUGHT_UP = Problem(
    "not-caught-up",
    503,
    "The lists have not caught up with your change yet; retry shortly",
    "列表尚未更新到您刚才的操作，请稍后重试",
)
# Refusals by the HTTP server itself, before the request reaches the app (web/serving.py, deploy/nginx/).
URI_TOO_LONG = Problem("uri-too-long", 414, "The request line is too long", "请求地址过长")
HEADERS_TOO_LARGE = Problem("headers-too-large", 431, "The request headers are too large", "请求头过大")
UNSUPPORTED_TRANSFER_CODING = Problem(
    "unsupported-transfer-coding", 501, "This Transfer-Encoding is not supported", "不支持该传输编码"
)
REQUEST_TIMEOUT = Problem("request-timeout", 408, "The request arrived too slowly", "请求发送超时")
BAD_GATEWAY = Problem(
    "service-unreachable", 502, "The service is not answering; retry shortly", "服务暂时无法访问，请稍后重试"
)
GATEWAY_TIMEOUT = Problem("service-timeout", 504, "The service took too long to answer", "服务响应超时")

_BY_STATUS = {p.status: p for p in (MALFORMED, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, METHOD, TOO_LARGE)} | {
    412: STALE,
    415: UNSUPPORTED,
    422: VALIDATION,
    428: PRECONDITION_REQUIRED,
    429: RATE_LIMITED,
    503: UNAVAILABLE,
}


def problem_document(problem: Problem, detail: str = "", **members: Any) -> dict[str, Any]:
    """The problem's JSON object (RFC 9457), with the English detail if there is one."""
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "title_zh": problem.title_zh,
        "status": problem.status,
    }
    if detail:
        body["detail"] = detail
    body.update(members)
    return body


def problem_response(
    problem: Problem, detail: str = "", headers: Mapping[str, str] | None = None, **members: Any
) -> Response:
    request_id = getattr(g, "request_id", "")
    instance = {"instance": f"urn:caseledger:request:{request_id}"} if request_id else {}
    body = problem_document(problem, detail, **instance, **members)
    response = Response(json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _invalid(error: InvalidValue) -> Response:
    return problem_response(
        VALIDATION,
        str(error),
        detail_zh=f"{error.field}：{error.zh}",
        errors=[{"field": error.field, "message": error.message, "message_zh": error.zh}],
    )


def _not_in_register(error: NotInRegister) -> Response:
    """A unit, place, category or office that names no entry in force: the field, the value given and the
    register it was looked up in, beside why (unknown, not yet in force, retired or merged)."""
    ref = error.ref
    return problem_response(
        NOT_IN_REGISTER,
        str(error),
        detail_zh=f"{error.field}：{error.zh}",
        errors=[
            {
                "field": error.field,
                "value": ref.code,
                "register": ref.register.code,
                "office": ref.office,
                "message": error.message,
                "message_zh": error.zh,
            }
        ],
    )


def _rule(error: RuleViolation) -> Response:
    return problem_response(RULE, error.en, detail_zh=error.zh, rule=error.rule)


def _stale(error: StaleVersion) -> Response:
    return problem_response(
        STALE,
        str(error),
        {"ETag": f'"{error.current}"'},
        detail_zh=error.zh,
        current_version=error.current,
    )


def _store(error: CaseLedgerError) -> Response:
    return problem_response(UNAVAILABLE, str(error), headers={"Retry-After": "5"})


_HANDLERS: dict[type[Exception], Callable[[Any], Response]] = {
    InvalidValue: _invalid,
    NotInRegister: _not_in_register,
    RuleViolation: _rule,
    StaleVersion: _stale,
    Conflict: lambda e: problem_response(CONFLICT, str(e), detail_zh=e.zh),
    NotFound: lambda e: problem_response(NOT_FOUND, str(e), detail_zh=e.zh),
    Forbidden: lambda e: problem_response(FORBIDDEN, e.reason, action=e.action),
    IdempotencyKeyReused: lambda e: problem_response(KEY_REUSED, str(e), detail_zh=e.zh),
    StoreUnavailable: _store,
    StoreNotInitialised: _store,
    LogUnreadable: lambda e: problem_response(INTERNAL, str(e)),
}


_DEFAULT_DETAILS = {
    404: Message("there is nothing at this address", "该地址没有对应的资源"),
    405: Message("this address does not take this method (see Allow)", "该地址不支持此请求方法（见 Allow）"),
    413: Message("the request body is larger than the service accepts", "请求内容超过了服务允许的大小"),
}


def http_problem(error: HTTPException) -> Response:
    """An HTTP error raised by Flask, werkzeug or argument parsing, as a problem."""
    problem = _BY_STATUS.get(error.code or 500, INTERNAL)
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    if error.code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="caseledger"')
    headers.update((name, value) for name, value in error.get_headers() if name == "Allow")
    if messages:
        return fields_problem(messages, problem, headers)
    if problem is INTERNAL:
        return problem_response(problem, "", headers)
    detail = data.get("message") or error.description or ""
    if not isinstance(detail, Message) and detail == type(error).description:
        detail = _DEFAULT_DETAILS.get(problem.status, detail)
    if isinstance(detail, Message):
        return problem_response(problem, detail, headers, detail_zh=detail.zh)
    return problem_response(problem, str(detail), headers)


def fields_problem(
    messages: Mapping[str, Any], problem: Problem = VALIDATION, headers: Mapping[str, str] | None = None
) -> Response:
    """The problem listing the fields of ``messages`` (keyed as marshmallow keys its errors), each with why."""
    errors = field_errors(messages)
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return problem_response(
        problem, f"Some fields are not valid: {names}", headers, detail_zh=f"以下字段不合法：{names}", errors=errors
    )


def field_errors(messages: Mapping[str, Any], prefix: str = "") -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for key, value in messages.items():
        if key in {"json", "query", "headers", "view_args", "form", "files"} and not prefix:
            errors.extend(field_errors(value, "") if isinstance(value, Mapping) else [])
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            errors.extend(field_errors(value, f"{name}."))
        else:
            texts = value if isinstance(value, list) else [value]
            errors.extend(field_error(name, t) for t in texts if not isinstance(t, Mapping))
            for t in texts:
                if isinstance(t, Mapping):
                    errors.extend(field_errors(t, f"{name}."))
    return errors


def field_error(name: str, message: str) -> dict[str, str]:
    """One entry of a problem's ``errors``: the field and why, in English and Chinese."""
    return {"field": name, "message": str(message), "message_zh": in_chinese(message)}


PROBLEM_ERRORS: tuple[type[Exception], ...] = (*_HANDLERS, DomainError)
"""The errors that are answered as a problem; any other is the service's fault (500)."""


def problem_for(error: Exception) -> dict[str, Any]:
    """The problem document the API answers ``error`` (one of :data:`PROBLEM_ERRORS`) with, for a page."""
    handler = next((_HANDLERS[c] for c in type(error).__mro__ if c in _HANDLERS), _domain_error)
    document: dict[str, Any] = json.loads(handler(error).get_data(as_text=True))
    return document


def _domain_error(error: Exception) -> Response:
    return problem_response(VALIDATION, str(error))


def register_problem_handlers(app: Flask) -> None:
    """Map the application's and domain's errors to problems (HTTP errors are handled by the Api)."""
    for error_class, handler in _HANDLERS.items():
        app.register_error_handler(error_class, handler)
    app.register_error_handler(DomainError, _domain_error)
