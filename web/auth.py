"""Bearer-token authentication, request ids, and the limit on failed attempts."""

from __future__ import annotations

import re
from uuid import uuid4

from flask import Flask, Response, g, request

from domain.actor import Actor
from web.problems import RATE_LIMITED, UNAUTHENTICATED, problem_response
from web.state import ledger
from web.throttle import FailureThrottle

PUBLIC_PREFIXES = ("/health", "/api/health", "/api/openapi.json", "/api/docs")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FAILED_ATTEMPTS_PER_MINUTE = 20


def current_actor() -> Actor:
    """The authenticated actor of this request."""
    actor: Actor = g.actor
    return actor


def init_auth(app: Flask) -> None:
    """Authenticate every API request but the public ones; throttle addresses that keep failing."""
    throttle = FailureThrottle(int(app.config.get("FAILED_AUTH_PER_MINUTE", FAILED_ATTEMPTS_PER_MINUTE)))

    @app.before_request
    def identify() -> Response | None:
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid4().hex
        if request.path.startswith(PUBLIC_PREFIXES) or not request.path.startswith("/api/"):
            return None
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        actor = ledger().authenticate(secret.strip(), g.request_id) if scheme.lower() == "bearer" else None
        if actor is None:
            address = request.remote_addr or "unknown"
            if throttle.fail(address):
                return problem_response(
                    RATE_LIMITED,
                    "too many failed authentication attempts from this address",
                    {"Retry-After": str(throttle.retry_after(address))},
                )
            return problem_response(
                UNAUTHENTICATED,
                "missing, unknown, revoked or expired bearer token",
                {"WWW-Authenticate": 'Bearer realm="caseledger"'},
            )
        g.actor = actor
        return None

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response
