"""Signing in and out: ``/api/session`` answers a session token for a username and password.

Every refusal of a sign-in is the same 401, whether the username is unknown, the password wrong, or the
account locked, deactivated or outside its active period; an address that keeps failing is refused with
429 for a while. A session that must still change its initial password may only change it, read itself
and sign out (:mod:`web.auth`).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, g, request
from marshmallow import fields, validate

from application.signin import SignInRefused
from domain.actor import Role
from domain.passwords import MAX_PASSWORD
from web.api import Blueprint
from web.auth import current_actor, current_token
from web.problems import RATE_LIMITED, SIGN_IN_FAILED, problem_response
from web.routing import authorized, problems
from web.schemas import Strict, code
from web.state import ledger
from web.throttle import FailureThrottle

blp = Blueprint("session", __name__, tag="Session", url_prefix="/api/session", description="Signing in (登录)")

_PASSWORD = validate.Length(min=1, max=MAX_PASSWORD)
SignIn = Strict.from_dict(
    {
        "username": fields.String(required=True, validate=validate.Length(min=1, max=64)),
        "password": fields.String(required=True, validate=_PASSWORD, load_only=True),
        "role": code(Role, required=False, load_default=None),
        "unit": fields.String(load_default=None, validate=validate.Length(min=1, max=100)),
    },
    name="SignIn",
)
PasswordChange = Strict.from_dict(
    {
        "old_password": fields.String(required=True, validate=_PASSWORD, load_only=True),
        "new_password": fields.String(required=True, validate=_PASSWORD, load_only=True),
    },
    name="PasswordChange",
)


class ActingSchema(ma.Schema):
    """Who a session or token acts as."""

    token_id = fields.UUID(required=True)
    user_id = fields.String(required=True)
    role = fields.String(required=True)
    unit = fields.String(required=True)
    office = fields.String(required=True)
    password_change_required = fields.Boolean(
        required=True, metadata={"description": "only POST /api/session/password is allowed until it is changed"}
    )


class SessionSchema(ActingSchema):
    token = fields.String(required=True, metadata={"description": "the bearer secret; shown once"})
    expires_at = fields.AwareDateTime(required=True, metadata={"description": "the session's maximum life"})
    idle_timeout_minutes = fields.Integer(required=True)


class CurrentSessionSchema(ActingSchema):
    kind = fields.String(required=True, metadata={"description": '"session" or "api"'})
    expires_at = fields.AwareDateTime(allow_none=True)


def sign_in_throttle() -> FailureThrottle:
    """The per-address limit on failed sign-ins, one per process (the API and the console share it)."""
    settings = ledger().settings
    found: FailureThrottle = current_app.extensions.setdefault(
        "sign_in_throttle",
        FailureThrottle(settings.sign_in_failures_per_address, settings.sign_in_failure_window_minutes * 60.0),
    )
    return found


@blp.route("", methods=["POST"], endpoint="sign_in")
@blp.doc(security=[])
@problems(blp, 400, 401, 413, 415, 422, 429, 503)
@blp.arguments(SignIn)
@blp.response(201, SessionSchema)
def sign_in(data: dict[str, Any]) -> Any:
    """Sign in with a username and password: a session token acting in one of the user's roles.

    Every refusal is the same 401; too many from one address, 429 with Retry-After.
    """
    address = request.remote_addr or "unknown"
    throttle = sign_in_throttle()
    if throttle.exceeded(address):
        return _too_many(throttle, address)
    try:
        session = ledger().sign_in(
            data["username"], data["password"], address, data["role"], data["unit"], g.request_id
        )
    except SignInRefused:
        if throttle.fail(address):
            return _too_many(throttle, address)
        return problem_response(
            SIGN_IN_FAILED,
            "wrong username or password, or the account may not sign in (locked after "
            f"{ledger().settings.lock_after_failures} wrong passwords in a row: ask the security administrator)",
            detail_zh="用户名或口令错误，或该账户不能登录（连续输错口令将锁定账户，请联系安全管理员解锁）",
        )
    actor = session.actor
    return {
        "token": session.secret,
        "token_id": session.token_id,
        "user_id": actor.user_id,
        "role": actor.role.code,
        "unit": actor.unit,
        "office": actor.office,
        "expires_at": session.expires_at,
        "idle_timeout_minutes": ledger().settings.session_idle_minutes,
        "password_change_required": session.must_change_password,
    }, 201


def _too_many(throttle: FailureThrottle, address: str) -> Any:
    return problem_response(
        RATE_LIMITED,
        "too many failed sign-ins from this address",
        {"Retry-After": str(throttle.retry_after(address))},
    )


@blp.route("", methods=["GET"], endpoint="read_session")
@problems(blp, 401, 429, 503)
@blp.response(200, CurrentSessionSchema)
def read_session() -> Any:
    """Who the bearer token acts as, until when, and whether a password change is required first."""
    actor, token = current_actor(), current_token()
    return {
        "token_id": token.id,
        "kind": token.kind,
        "user_id": actor.user_id,
        "role": actor.role.code,
        "unit": actor.unit,
        "office": actor.office,
        "expires_at": token.expires_at,
        "password_change_required": g.must_change_password,
    }


@blp.route("", methods=["DELETE"], endpoint="sign_out")
@authorized("sign_out")
@problems(blp, 401, 403, 422, 429, 503)
@blp.response(204)
def sign_out() -> Any:
    """Sign out: the session token stops working at once (an API token is revoked by the security administrator)."""
    ledger().sign_out(current_actor(), current_token())
    return ""


@blp.route("/password", methods=["POST"], endpoint="change_own_password")
@authorized("change_own_password")
@problems(blp, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
@blp.arguments(PasswordChange)
@blp.response(204)
def change_own_password(data: dict[str, Any]) -> Any:
    """Change your own password (the initial one first of all); the rules are named in any refusal."""
    ledger().change_own_password(current_actor(), data["old_password"], data["new_password"])
    return ""
