"""Bearer-token authentication, request ids, and the limit on failed attempts."""

from __future__ import annotations

import re
from uuid import uuid4

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from application.permissions import PERMISSIONS
from domain.actor import Actor
from web.problems import UNAUTHENTICATED, problem_response
from web.state import ledger

PUBLIC_PREFIXES = ("/health", "/api/health", "/api/openapi.json", "/api/docs")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
FAILED_ATTEMPTS_LIMIT = "20 per minute"


def current_actor() -> Actor:
    """The authenticated actor of this request."""
    actor: Actor = g.actor
    return actor


def init_auth(app: Flask) -> Limiter:
    """Authenticate every API request but the public ones; count failures per client address."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[app.config.get("FAILED_AUTH_LIMIT", FAILED_ATTEMPTS_LIMIT)],
        application_limits_deduct_when=lambda response: response.status_code == 401,
        storage_uri="memory://",
        headers_enabled=False,
    )

    @app.before_request
    def identify() -> Response | None:
        supplied = request.headers.get("X-Request-ID", "")
        g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid4().hex
        if request.path.startswith(PUBLIC_PREFIXES) or not request.path.startswith("/api/"):
            return None
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        actor = ledger().authenticate(secret.strip(), g.request_id) if scheme.lower() == "bearer" else None
        if actor is None:
            return problem_response(
                UNAUTHENTICATED,
                "missing, unknown, revoked or expired bearer token",
                {"WWW-Authenticate": 'Bearer realm="caseledger"'},
            )
        g.actor = actor
        use_case = (request.endpoint or "").rpartition(".")[2]
        if use_case in PERMISSIONS:
            ledger().authorize(actor, use_case)
        return None

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        return response

    return limiter
