"""Complaints, disputes and enforcement cases: filing each kind, and each kind's own actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import marshmallow as ma
from flask import request
from marshmallow import fields
from werkzeug.exceptions import BadRequest

from domain.case import Case
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.errors import InvalidValue
from domain.kinds import CHANNELS_BY_KIND, CaseKind, GridLevel
from web.actions import COMPLAINT, DISPUTE, ENFORCEMENT, Action
from web.api import Blueprint
from web.auth import current_actor
from web.messages import Message
from web.routing import authorized, created_response, problems, register_actions
from web.schemas import CommandResultSchema, boolean, code, filing_schema, unstorable
from web.state import ledger

MAX_KEY = 200
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    "description": "A retry with the same key returns the case filed first instead of filing again.",
}


def idempotency_key() -> str:
    """The Idempotency-Key header, or a fresh key when there is none (then a retry files again)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return uuid4().hex
    if not 1 <= len(key.strip()) <= MAX_KEY:
        raise BadRequest(
            Message(f"Idempotency-Key must be 1 to {MAX_KEY} characters", f"Idempotency-Key 应为 1 至 {MAX_KEY} 个字符")
        )
    refused = unstorable(key)
    if refused is not None:
        raise InvalidValue("Idempotency-Key", refused, zh=refused.zh)
    return key.strip()


FILING_ERRORS = (400, 401, 403, 409, 413, 415, 422, 429, 503)


@dataclass(frozen=True)
class Filing:
    """How one kind of case is filed: ``POST /api/{resource}`` runs ``use_case`` with the body ``schema``
    loads (the console's filing form is made from the same schema)."""

    resource: str
    case_class: type[Case]
    use_case: str
    schema: type[ma.Schema]


def _filing(
    resource: str, case_class: type[Case], use_case: str, extra: dict[str, fields.Field[Any]] | None = None
) -> Filing:
    name = "".join(part.title() for part in use_case.split("_")) + "Body"
    channels = [c.code for c in CHANNELS_BY_KIND[case_class.KIND]]
    return Filing(
        resource,
        case_class,
        use_case,
        filing_schema(name, case_class.CATEGORY, channels, extra or {}, case_class.MIN_PARTIES),
    )


FILINGS = {
    filing.case_class.KIND: filing
    for filing in (
        _filing("complaints", Complaint, "file_complaint", {"anonymous": boolean(load_default=False)}),
        _filing("disputes", Dispute, "file_dispute"),
        _filing(
            "enforcement-cases",
            EnforcementCase,
            "record_clue",
            {"grid_level": code(GridLevel, required=False, load_default=None, allow_none=True)},
        ),
    )
}


def kind_blueprint(filing: Filing, actions: list[Action]) -> Blueprint:
    """The blueprint of one kind of case: ``POST /api/{resource}`` files one, and each action is a POST on it."""
    kind, use_case = filing.case_class.KIND, filing.use_case
    tag = kind.en + "s"
    blp = Blueprint(
        filing.resource, __name__, tag=tag, url_prefix=f"/api/{filing.resource}", description=f"{kind.en}s ({kind.zh})"
    )

    @blp.route("", methods=["POST"], endpoint=use_case)
    @authorized(use_case)
    @problems(blp, *FILING_ERRORS)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(filing.schema)
    @blp.response(201, CommandResultSchema, description="Filed")
    @blp.alt_response(200, schema=CommandResultSchema, description="A retry: the case filed first with this key")
    def file_one(data: dict[str, Any]) -> Any:
        key = idempotency_key()
        result = getattr(ledger(), use_case)(key, current_actor(), **data)
        return created_response(result, f"/api/cases/{result.id}")

    file_one.__doc__ = f"File a {kind.en.lower()} ({kind.zh})."
    register_actions(blp, actions)
    return blp


complaints = kind_blueprint(FILINGS[CaseKind.COMPLAINT], COMPLAINT)
disputes = kind_blueprint(FILINGS[CaseKind.DISPUTE], DISPUTE)
enforcement_cases = kind_blueprint(FILINGS[CaseKind.ENFORCEMENT], ENFORCEMENT)
