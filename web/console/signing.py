"""Signing in to the console, changing the initial password, and signing out: the same use cases and
throttle as ``/api/session``, with the session's secret in the cookie instead of a response body."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from flask import render_template, request
from werkzeug.wrappers import Response

from application.signin import SignInRefused
from web.auth import current_actor, current_token
from web.blueprints.session import sign_in_throttle
from web.console.forms import refused_fields
from web.console.pages import blp
from web.console.session import PASSWORD_PAGE, end_session, set_session, signed_in
from web.problems import PROBLEM_ERRORS, problem_for
from web.schemas import Strict, text
from web.state import ledger

REFUSED = "用户名或口令错误，或该账户不能登录（连续输错口令将锁定账户，请联系安全管理员解锁）"


class PasswordForm(Strict):
    csrf = text(long=False)
    old_password = text(long=False)
    new_password = text(long=False)


def _next_page() -> str:
    """Where to go after signing in: a page of this console only, never another site."""
    wanted = request.values.get("next", "/")
    parts = urlsplit(wanted)
    local = wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted and not parts.netloc
    return wanted if local else "/"


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("console/sign_in.html", actor=None, next=_next_page(), message="", username="")
    address, throttle = request.remote_addr or "unknown", sign_in_throttle()
    username = request.form.get("username", "")
    if throttle.exceeded(address):
        return _refused(username, f"失败次数过多，请 {throttle.retry_after(address)} 秒后再试", 429)
    try:
        session = ledger().sign_in(username, request.form.get("password", ""), address)
    except SignInRefused:
        throttle.fail(address)
        return _refused(username, REFUSED, 401)
    target = PASSWORD_PAGE if session.must_change_password else _next_page()
    response = Response(status=303, headers={"Location": target})
    return set_session(response, session.secret, ledger().settings.session_max_hours * 3600)


def _refused(username: str, message: str, status: int) -> tuple[str, int]:
    page = render_template("console/sign_in.html", actor=None, next=_next_page(), message=message, username=username)
    return page, status


@blp.post("/sign-out")
@signed_in
def sign_out() -> Response:
    ledger().sign_out(current_actor(), current_token())
    return end_session(Response(status=303, headers={"Location": "/sign-in"}))


@blp.route(PASSWORD_PAGE, methods=["GET", "POST"])
@signed_in
def change_password() -> Response | str | tuple[str, int]:
    """Change one's own password (first of all after an initial one); the rules' refusals name the rule."""
    if request.method == "GET":
        return render_template("console/password.html", actor=current_actor(), problem=None, errors={})
    problem: dict[str, Any]
    try:
        data = PasswordForm().load(request.form.to_dict())
        ledger().change_own_password(current_actor(), data["old_password"], data["new_password"])
    except ma.ValidationError as error:
        problem = {"status": 422, "title_zh": "请求内容不合法", "errors": refused_fields(error)}
    except PROBLEM_ERRORS as error:
        problem = problem_for(error)
    else:
        return Response(status=303, headers={"Location": "/?done=password"})
    errors = {e["field"]: e["message_zh"] for e in problem.get("errors", [])}
    page = render_template("console/password.html", actor=current_actor(), problem=problem, errors=errors)
    return page, int(problem["status"])
