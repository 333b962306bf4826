"""Complaints, disputes and enforcement cases: filing each kind, and each kind's own actions."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask import request
from flask_smorest import Blueprint
from marshmallow import fields

from domain.kinds import CHANNELS_BY_KIND, CaseKind, ComplaintCategory, DisputeType, GridLevel, ViolationType
from domain.labels import Labelled
from web.actions import COMPLAINT, DISPUTE, ENFORCEMENT, Action
from web.auth import current_actor
from web.routing import command_response, problems, register_actions
from web.schemas import CommandResultSchema, code, filing_schema
from web.state import ledger

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "A retry with the same key returns the case filed first instead of filing again.",
}
FILING_ERRORS = (400, 401, 403, 409, 413, 415, 422, 429, 503)


def kind_blueprint(
    resource: str,
    kind: CaseKind,
    category: type[Labelled],
    use_case: str,
    actions: list[Action],
    extra: dict[str, fields.Field[Any]] | None = None,
) -> Blueprint:
    """The blueprint of one kind of case: ``POST /api/{resource}`` files one, and each action is a POST on it."""
    tag = kind.en + "s"
    blp = Blueprint(resource, __name__, url_prefix=f"/api/{resource}", description=f"{kind.en}s ({kind.zh})")
    name = "".join(part.title() for part in use_case.split("_")) + "Body"
    channels = [c.code for c in CHANNELS_BY_KIND[kind]]
    schema = filing_schema(name, category, channels, extra or {})

    @blp.route("", methods=["POST"], endpoint=use_case)
    @problems(blp, *FILING_ERRORS)
    @blp.doc(tags=[tag], parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(schema)
    @blp.response(201, CommandResultSchema, description="Filed; a retry with the same Idempotency-Key answers 200")
    def file_one(data: dict[str, Any]) -> Any:
        key = request.headers.get("Idempotency-Key") or uuid4().hex
        result = getattr(ledger(), use_case)(key, current_actor(), **data)
        status = 201 if result.position is not None else 200
        return command_response(result, status, location=f"/api/cases/{result.id}")

    file_one.__doc__ = f"File a {kind.en.lower()} ({kind.zh})."
    register_actions(blp, actions, tag)
    return blp


complaints = kind_blueprint(
    "complaints",
    CaseKind.COMPLAINT,
    ComplaintCategory,
    "file_complaint",
    COMPLAINT,
    {"anonymous": fields.Boolean(load_default=False)},
)
disputes = kind_blueprint("disputes", CaseKind.DISPUTE, DisputeType, "file_dispute", DISPUTE)
enforcement_cases = kind_blueprint(
    "enforcement-cases",
    CaseKind.ENFORCEMENT,
    ViolationType,
    "record_clue",
    ENFORCEMENT,
    {"grid_level": code(GridLevel, required=False, load_default=None, allow_none=True)},
)
