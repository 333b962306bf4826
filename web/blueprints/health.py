"""Whether this process is up and its store reachable."""

from __future__ import annotations

from typing import Any

from application.errors import StoreNotInitialised, StoreUnavailable
from web.api import Blueprint
from web.problems import UNAVAILABLE, problem_response
from web.schemas import HealthSchema
from web.state import ledger

blp = Blueprint("health", __name__, tag="Health", url_prefix="/api", description="Service health")


@blp.route("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="PROBLEM_503")
def health() -> Any:
    """Report whether the store is reachable (no authentication needed)."""
    try:
        position = ledger().log_position()
    except (StoreUnavailable, StoreNotInitialised) as error:
        return problem_response(UNAVAILABLE, str(error), {"Retry-After": "5"})
    return {"status": "ok", "store": "reachable", "log_position": position}
