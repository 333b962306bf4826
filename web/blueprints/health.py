"""Whether this process is up, its store reachable, and the read models followed.

``/health`` and ``/api/health`` answer 200 while the store answers, with ``status`` "ok", or
"degraded" when some projection is not current (its follower stopped or is failing, a rebuild runs):
writes and reads of single cases still work, so a load balancer should keep the worker; an alert
should look at ``status``. 503 means the store itself cannot be used. Two small queries.
"""

from __future__ import annotations

from typing import Any

from application.errors import StoreNotInitialised, StoreUnavailable
from web.api import Blueprint
from web.problems import UNAVAILABLE, problem_response
from web.read_models import read_models
from web.schemas import HealthSchema
from web.state import ledger

blp = Blueprint("health", __name__, tag="Health", url_prefix="/api", description="Service health")


@blp.route("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="PROBLEM_503")
def health() -> Any:
    """Report whether the store is reachable and every projection followed (no authentication needed).

    200 with status "degraded" names each projection that is stale, rebuilding, outdated or not set up,
    and how far behind it is.
    """
    try:
        position = ledger().log_position()
        followers = read_models().followers(position)
    except (StoreUnavailable, StoreNotInitialised) as error:
        return problem_response(UNAVAILABLE, str(error), {"Retry-After": "5"})
    return {
        "status": "ok" if all(f.current for f in followers) else "degraded",
        "store": "reachable",
        "log_position": position,
        "projections": [
            {
                "name": f.name,
                "state": f.state,
                "position": f.position,
                "behind": f.behind,
                "seen_seconds_ago": None if f.seen_seconds_ago is None else round(f.seen_seconds_ago, 1),
                "detail": f.describe(),
            }
            for f in followers
        ],
    }
