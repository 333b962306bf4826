"""Cases of every kind: read one, read its history, and the actions every kind shares."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint

from web.actions import SHARED
from web.auth import current_actor
from web.routing import READ_ERRORS, etag, problems, register_actions
from web.schemas import CaseSchema, EventSchema
from web.state import ledger

TAG = "Cases"
blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="Cases of every kind")


@blp.route("/<uuid:case_id>")
@problems(blp, *READ_ERRORS)
@blp.doc(tags=[TAG])
@blp.response(200, CaseSchema, description="The case; its version is also the ETag")
def read_case(case_id: UUID) -> Any:
    """A case as the caller may see it, with its statutory clocks."""
    view = ledger().view_case(current_actor(), case_id)
    return view, 200, {"ETag": etag(view["version"])}


@blp.route("/<uuid:case_id>/history")
@problems(blp, *READ_ERRORS)
@blp.doc(tags=[TAG])
@blp.response(200, EventSchema(many=True), description="Every event, oldest first")
def case_history(case_id: UUID) -> Any:
    """Who did what to the case, when, and why."""
    return ledger().view_history(current_actor(), case_id)


register_actions(blp, SHARED, TAG)
