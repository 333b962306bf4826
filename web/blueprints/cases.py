"""Cases of every kind: read one, read its history, and the actions every kind shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import fields, validate

from application.permissions import RECORD_READS, free_text_units, readable_items
from domain.actor import Actor
from domain.case import Case
from domain.kinds import CaseKind, Channel
from projections.case_listing import MAX_PER_PAGE, CaseFilter
from web.actions import SHARED
from web.api import Blueprint
from web.auth import current_actor
from web.blueprints.queues import QueueItemSchema
from web.read_models import not_caught_up, read_models
from web.routing import READ_ERRORS, authorized, etag, problems, register_actions
from web.schemas import CODE, SHORT, CaseSchema, EventSchema, QueryArgs, code, position_field
from web.state import ledger

TAG = "Cases"
blp = Blueprint("cases", __name__, tag=TAG, url_prefix="/api/cases", description="Cases of every kind")


CaseListArgs = QueryArgs.from_dict(
    {
        "kind": code(CaseKind, required=False),
        "status": fields.String(validate=CODE),
        "category": fields.String(validate=CODE),
        "village": fields.String(validate=SHORT),
        "unit": fields.String(validate=SHORT),
        "channel": code(Channel, required=False),
        "filed_from": fields.Date(),
        "filed_to": fields.Date(),
        "text": fields.String(validate=SHORT),
        "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000)),
        "per_page": fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE)),
        "min_position": position_field("wait until listed", minimum=1),
    },
    name="CaseListArgs",
)


class CasePageSchema(ma.Schema):
    items = fields.List(fields.Nested(QueueItemSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    position = fields.Integer(required=True)


@blp.route("")
@authorized("list_cases")
@problems(blp, 400, 401, 403, 422, 429, 503)
@blp.arguments(CaseListArgs, location="query", unknown=ma.RAISE)
@blp.response(200, CasePageSchema, description="One page of cases, by earliest deadline, then number")
def list_cases(args: dict[str, Any]) -> Any:
    """Cases filtered by kind, status, category, village, unit, channel, filing dates and text; paged.

    ``min_position`` (a command's log position) waits, up to a few seconds, until the list includes it.
    Lists never carry identities; statisticians get no descriptions, handlers only their own unit's.
    """
    waited = not_caught_up("case_index", args.get("min_position"), "the case list")
    return waited if waited is not None else case_list_page(current_actor(), args)


def case_list_page(actor: Actor, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of the cases ``args`` (the list's query fields) select, as ``actor`` may read them."""
    ledger().authorize(actor, "list_cases")
    models = read_models()
    filters = {k: v for k, v in args.items() if k not in ("page", "per_page", "min_position")}
    found = models.queues.case_index.list_cases(
        CaseFilter(**filters, text_units=free_text_units(actor)), args["page"], args["per_page"]
    )
    return {
        "items": readable_items(actor, found.items),
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "position": models.position("case_index"),
    }


@blp.route("/<uuid:case_id>")
@authorized(RECORD_READS[Case].state)
@problems(blp, *READ_ERRORS)
@blp.response(200, CaseSchema, description="The case; its version is also the ETag")
def read_case(case_id: UUID) -> Any:
    """A case as the caller may see it, with its statutory clocks."""
    view = ledger().view_case(current_actor(), case_id)
    return view, 200, {"ETag": etag(view["version"])}


@blp.route("/<uuid:case_id>/history")
@authorized(RECORD_READS[Case].history)
@problems(blp, *READ_ERRORS)
@blp.response(200, EventSchema(many=True), description="Every event, oldest first")
def case_history(case_id: UUID) -> Any:
    """Who did what to the case, when, and why."""
    return ledger().view_history(current_actor(), Case, case_id)


register_actions(blp, SHARED)
