"""Bearer-token authentication (API tokens and sign-in sessions), request ids, and the limit on failed
attempts."""

from __future__ import annotations

import re
from uuid import uuid4

from flask import Flask, Response, g, request

from application.accounts import Access
from domain.accounts import AccessToken
from domain.actor import Actor
from web.problems import PASSWORD_CHANGE_REQUIRED, RATE_LIMITED, UNAUTHENTICATED, problem_response
from web.state import ledger
from web.throttle import FailureThrottle

PUBLIC_PREFIXES = ("/health", "/api/health", "/api/openapi.json", "/api/docs")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FAILED_ATTEMPTS_PER_MINUTE = 20
SIGN_IN = ("POST", "/api/session")
"""Signing in is the one API call that needs no token (it is throttled on its own, web.blueprints.session)."""
WHILE_PASSWORD_CHANGE_REQUIRED = {
    ("POST", "/api/session/password"),
    ("GET", "/api/session"),
    ("DELETE", "/api/session"),
}
"""All that a session whose initial password must still be changed may do."""


def current_actor() -> Actor:
    """The authenticated actor of this request."""
    actor: Actor = g.actor
    return actor


def current_token() -> AccessToken:
    """The token (API token or session) this request authenticated with."""
    token: AccessToken = g.token
    return token


def init_auth(app: Flask) -> None:
    """Authenticate every API request but the public ones; throttle addresses that keep failing."""
    throttle = FailureThrottle(int(app.config.get("FAILED_AUTH_PER_MINUTE", FAILED_ATTEMPTS_PER_MINUTE)))

    @app.before_request
    def identify() -> Response | None:
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid4().hex
        if request.path.startswith(PUBLIC_PREFIXES) or not request.path.startswith("/api/"):
            return None
        if (request.method, request.path.rstrip("/")) == SIGN_IN:
            return None
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        access = ledger().access(secret.strip(), g.request_id) if scheme.lower() == "bearer" else Access(None)
        if access.actor is None or access.token is None:
            address = request.remote_addr or "unknown"
            if throttle.fail(address):
                return problem_response(
                    RATE_LIMITED,
                    "too many failed authentication attempts from this address",
                    {"Retry-After": str(throttle.retry_after(address))},
                )
            return problem_response(
                UNAUTHENTICATED, _refused(access), {"WWW-Authenticate": 'Bearer realm="caseledger"'}
            )
        g.actor, g.token, g.must_change_password = access.actor, access.token, access.must_change_password
        if (
            access.must_change_password
            and (request.method, request.path.rstrip("/")) not in WHILE_PASSWORD_CHANGE_REQUIRED
        ):
            return problem_response(
                PASSWORD_CHANGE_REQUIRED,
                "change the initial password first: POST /api/session/password with old_password and new_password",
                detail_zh="请先修改初始口令：POST /api/session/password（old_password、new_password）",
            )
        return None

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response


def _refused(access: Access) -> str:
    """Why a bearer token is refused, as far as its holder may be told."""
    token = access.token
    if access.refusal == "expired" and token is not None and token.expires_at is not None:
        again = "sign in again" if token.is_session else "ask the security administrator for a new token"
        return f"the {'session' if token.is_session else 'token'} expired at {token.expires_at.isoformat()}; {again}"
    if access.refusal == "idle":
        minutes = ledger().settings.session_idle_minutes
        return f"the session ended after more than {minutes} minutes without use; sign in again"
    return "missing, unknown or revoked bearer token, or its user may no longer act"
