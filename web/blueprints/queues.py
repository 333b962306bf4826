"""Work queues: what each role opens in the morning (待受理, 待交办, 本单位在办, 调解中, 待法制审核, …)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from werkzeug.exceptions import NotFound

from application.permissions import authorize_queue, readable_items
from domain.actor import Actor
from domain.kinds import CaseKind, Channel
from projections.case_listing import MAX_PER_PAGE
from projections.queues import QUEUES, Queue, QueueFilter
from web.api import Blueprint
from web.auth import current_actor
from web.messages import Message
from web.read_models import not_caught_up, read_models
from web.routing import authorized, problems
from web.schemas import CODE, SHORT, LabelSchema, QueryArgs, code, moment, position_field
from web.state import ledger

TAG = "Queues"
QUEUE_ERRORS = (401, 403, 404, 422, 429, 503)

blp = Blueprint("queues", __name__, tag=TAG, url_prefix="/api/queues", description="Work queues")

_NAMES = "; ".join(f"{q.code} = {q.zh} / {q.en}" for q in QUEUES.values())
NAME_PARAMETER = {
    "in": "path",
    "name": "name",
    "required": True,
    "schema": {"type": "string", "enum": list(QUEUES)},
    "description": f"The queue: {_NAMES}",
}


class QueueArgsSchema(QueryArgs):
    """Filters, page and read-your-writes position of a queue."""

    kind = code(CaseKind, required=False)
    category = fields.String(validate=CODE, metadata={"description": "a category code of the kind"})
    village = fields.String(validate=SHORT)
    unit = fields.String(validate=SHORT, metadata={"description": "a handling unit, lead or assisting"})
    channel = code(Channel, required=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    as_of = moment(
        load_default=None, metadata={"description": "the moment clock statuses are judged at (default: now)"}
    )
    min_position = position_field("wait until the queue has caught up with this log position (a command's position)")


class QueueItemSchema(ma.Schema):
    """A case (or, in the rulings queue, a ruling) as a queue lists it; never a party's identity."""

    id = fields.String(required=True)
    number = fields.String()
    kind = fields.Nested(LabelSchema, required=True)
    status = fields.Nested(LabelSchema, required=True)
    open = fields.Boolean()
    category = fields.Nested(LabelSchema)
    channel = fields.Nested(LabelSchema)
    village = fields.String()
    grid_cell = fields.String()
    lead_unit = fields.String(allow_none=True)
    assisting_units = fields.List(fields.String())
    filed_at = fields.String()
    last_at = fields.String(required=True)
    description = fields.String(
        metadata={"description": "left out for statisticians, and for handlers on cases their unit does not handle"}
    )
    supervised = fields.Boolean()
    problem_case = fields.Boolean()
    at_risk = fields.Boolean()
    major = fields.Boolean()
    deadline = fields.String(allow_none=True)
    deadline_stage = fields.Nested(LabelSchema, allow_none=True)
    clock_status = fields.Nested(LabelSchema, allow_none=True)
    version = fields.Integer()
    unit = fields.String(metadata={"description": "rulings: the cadre's unit"})
    requested_at = fields.String(metadata={"description": "rulings: when requested"})
    reviews = fields.String(allow_none=True, metadata={"description": "rulings: the appealed ruling this one reviews"})
    outcome = fields.Nested(LabelSchema, allow_none=True)


class QueuePageSchema(ma.Schema):
    queue = fields.Nested(LabelSchema, required=True)
    items = fields.List(fields.Nested(QueueItemSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    position = fields.Integer(
        required=True, metadata={"description": "the page reflects at least the log up to this position"}
    )


@blp.route("/<string:name>", parameters=[NAME_PARAMETER])
@authorized("read_queue")
@problems(blp, *QUEUE_ERRORS)
@blp.arguments(QueueArgsSchema, location="query", unknown=ma.RAISE)
@blp.response(200, QueuePageSchema, description="One page of the queue, by deadline (none last), then number")
def read_queue(args: dict[str, Any], name: str) -> Any:
    """One page of a work queue, filtered by kind, category, village, unit and channel.

    The ``my_unit`` queue is the caller's unit (another unit's, for roles not bound to a unit);
    the tolerated-error rulings queue is discipline's. Statisticians get no descriptions, handlers only
    their own unit's.
    """
    queue = queue_named(name)
    actor = current_actor()
    authorize_queue(actor, rulings=queue.rulings, unit_queue=queue.needs_unit, unit=args.get("unit"))  # before waiting
    waited = not_caught_up(_projection(queue), args["min_position"], f"the {queue.code} queue")
    return waited if waited is not None else queue_page(actor, queue, args)


def queue_named(name: str) -> Queue:
    """The queue ``name``, or the 404 listing the queues."""
    queue = QUEUES.get(name)
    if queue is None:
        raise NotFound(
            Message(
                f"no queue {name!r}; the queues are: {', '.join(QUEUES)}",
                f"没有队列 {name!r}，可选：{'、'.join(QUEUES)}",
            )
        )
    return queue


def queue_page(actor: Actor, queue: Queue, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page of ``queue`` as ``actor`` may read it, filtered and paged by ``args`` (the query's fields)."""
    unit = authorize_queue(actor, rulings=queue.rulings, unit_queue=queue.needs_unit, unit=args.get("unit"))
    models = read_models()
    filters = QueueFilter(
        kind=args.get("kind"),
        category=args.get("category"),
        village=args.get("village"),
        unit=unit,
        channel=args.get("channel"),
    )
    reached = models.position(_projection(queue))
    found = models.queues.page(
        queue.code,
        filters,
        args["page"],
        args["per_page"],
        as_of=_within_calendar(args.get("as_of")),
        with_description=True,
    )
    return {
        "queue": queue.label,
        "items": readable_items(actor, found.items),
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "pages": found.pages,
        "position": reached,
    }


def _within_calendar(as_of: datetime | None) -> datetime | None:
    """``as_of``, if the working-day calendar knows its year (due-soon counts working days)."""
    return None if as_of is None else ledger().within_calendar(as_of, "as_of")


def _projection(queue: Queue) -> str:
    return "ruling_index" if queue.rulings else "case_index"
