"""The Flask application factory: one ledger per process, built at start."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from web import console
from web.api import ProblemApi
from web.auth import init_auth
from web.blueprints import audit, cases, docs, health, kinds, queues, records, registers, session, statistics, users
from web.problems import UNSUPPORTED, fields_problem, problem_response, register_problem_handlers
from web.schemas import unstorable_in
from web.wsgi import ClientBehindProxy, ReadBodyBeforeResponse

MAX_BODY_BYTES = 256 * 1024

SECURITY = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "a session token from POST /api/session, or an API token from `caseledger tokens issue USER`",
    }
}


def create_app(ledger: CaseLedger | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app around ``ledger`` (by default, the one the environment's settings describe), served
    as its settings say."""
    ledger = build_ledger() if ledger is None else ledger
    app = Flask("caseledger")
    app.config.from_mapping(
        API_TITLE="caseledger",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        FAILED_AUTH_PER_MINUTE=ledger.settings.failed_auth_per_minute,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": SECURITY},
            "security": [{"bearerAuth": []}],
            "info": {
                "description": "The case ledger of a subdistrict office: complaints, disputes, enforcement cases, "
                "tolerated-error rulings and clearings. Errors are RFC 9457 problems."
            },
        },
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["caseledger"] = ledger

    api = ProblemApi(app)
    register_problem_handlers(app)
    init_auth(app)

    @app.before_request
    def require_json() -> Response | None:
        if request.routing_exception is not None:
            return None
        if request.method in {"POST", "PUT", "PATCH"} and request.path.startswith("/api/") and not request.is_json:
            sent = request.mimetype or "nothing"
            return problem_response(UNSUPPORTED, f"send Content-Type: application/json, not {sent}")
        return None

    @app.before_request
    def refuse_unstorable_path() -> Response | None:
        """Path segments are held to the rule request schemas hold every body and query field to."""
        refused = unstorable_in(request.view_args or {})
        return None if refused is None else fields_problem(refused)

    api.register_blueprint(health.blp)
    api.register_blueprint(session.blp)
    api.register_blueprint(users.blp)
    api.register_blueprint(cases.blp)
    for blueprint in (kinds.complaints, kinds.disputes, kinds.enforcement_cases, records.rulings, records.clearings):
        api.register_blueprint(blueprint)
    api.register_blueprint(audit.blp)
    api.register_blueprint(queues.blp)
    api.register_blueprint(statistics.blp)
    api.register_blueprint(registers.blp)
    app.register_blueprint(docs.blp)
    app.register_blueprint(console.blp)
    app.add_url_rule("/health", "health_root", health.health)
    proxies = ledger.settings.trusted_proxies
    app.wsgi_app = ClientBehindProxy(ReadBodyBeforeResponse(app.wsgi_app), proxies)  # type: ignore[method-assign]
    return app
