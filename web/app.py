"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from application.errors import StoreNotInitialised, StoreUnavailable
from application.ledger import CaseLedger, build_ledger


def create_app(ledger: CaseLedger | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app around the process's one ledger (built from the environment if not given)."""
    app = Flask("caseledger")
    app.config.from_mapping(JSON_AS_ASCII=False)
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["ledger"] = ledger if ledger is not None else build_ledger()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    @app.get("/health")
    def health() -> tuple[Any, int]:
        """Whether the process is up and the store is reachable."""
        try:
            position = app.extensions["ledger"].log_position()
        except (StoreUnavailable, StoreNotInitialised) as error:
            return jsonify(status="unavailable", store=str(error)), 503
        return jsonify(status="ok", store="reachable", log_position=position), 200

    return app
