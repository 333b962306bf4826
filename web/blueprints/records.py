"""The discipline committee's records: tolerated-error rulings (容错免责) and clearings (澄清正名)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marshmallow import fields, validate

from application.permissions import RECORD_READS
from domain.clearing import AccusationFinding, Clearing
from domain.tolerance import ToleranceRuling
from web.actions import CLEARING, RULING
from web.api import Blueprint
from web.auth import current_actor
from web.blueprints.kinds import FILING_ERRORS, IDEMPOTENCY_KEY, idempotency_key
from web.routing import READ_ERRORS, authorized, created_response, etag, problems, register_actions
from web.schemas import CommandResultSchema, EventSchema, RecordSchema, Strict, boolean, code, moment, text
from web.state import ledger

RULING_TAG, CLEARING_TAG = "Tolerated-error rulings", "Clearings"

RulingRequest = Strict.from_dict(
    {
        "cadre_id": text(long=False),
        "cadre_name": text(long=False),
        "unit": text(long=False),
        "case_ids": fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=20)),
        "error": text(),
        "consequences": text(),
        "circumstances": text(),
        "motive": text(),
        "proposed_by_unit": boolean(required=True),
        "at": moment(load_default=None),
    },
    name="RequestRulingBody",
)
ClearingProposal = Strict.from_dict(
    {
        "cadre_id": text(long=False),
        "cadre_name": text(long=False),
        "unit": text(long=False),
        "accusation": text(),
        "investigation": text(),
        "finding": code(AccusationFinding),
        "at": moment(load_default=None),
    },
    name="ProposeClearingBody",
)
AppealReview = Strict.from_dict({"at": moment(load_default=None)}, name="ReviewAppealBody")

rulings = Blueprint(
    "rulings", __name__, tag=RULING_TAG, url_prefix="/api/rulings", description="Tolerated-error rulings (容错免责认定)"
)
clearings = Blueprint(
    "clearings", __name__, tag=CLEARING_TAG, url_prefix="/api/clearings", description="Clearings (澄清正名)"
)


@rulings.route("", methods=["POST"])
@authorized("request_ruling")
@problems(rulings, *FILING_ERRORS)
@rulings.doc(parameters=[IDEMPOTENCY_KEY])
@rulings.arguments(RulingRequest)
@rulings.response(201, CommandResultSchema)
@rulings.alt_response(200, schema=CommandResultSchema, description="A retry: the ruling opened first with this key")
def request_ruling(data: dict[str, Any]) -> Any:
    """Open a tolerated-error ruling at a cadre's request or on the unit's proposal."""
    key = idempotency_key()
    result = ledger().request_ruling(key, current_actor(), **data)
    return created_response(result, f"/api/rulings/{result.id}")


@rulings.route("/<uuid:record_id>/review", methods=["POST"])
@authorized("review_appeal")
@problems(rulings, *FILING_ERRORS, 404)
@rulings.doc(parameters=[IDEMPOTENCY_KEY])
@rulings.arguments(AppealReview)
@rulings.response(201, CommandResultSchema, description="The new ruling that reviews the appealed one")
@rulings.alt_response(200, schema=CommandResultSchema, description="A retry: the review opened first with this key")
def review_appeal(data: dict[str, Any], record_id: UUID) -> Any:
    """Open the new ruling that reviews an appealed one; it names the ruling it reviews."""
    key = idempotency_key()
    result = ledger().review_appeal(record_id, key, current_actor(), **data)
    return created_response(result, f"/api/rulings/{result.id}")


@clearings.route("", methods=["POST"])
@authorized("propose_clearing")
@problems(clearings, *FILING_ERRORS)
@clearings.doc(parameters=[IDEMPOTENCY_KEY])
@clearings.arguments(ClearingProposal)
@clearings.response(201, CommandResultSchema)
@clearings.alt_response(200, schema=CommandResultSchema, description="A retry: the clearing proposed first")
def propose_clearing(data: dict[str, Any]) -> Any:
    """Propose clearing a cadre whom an investigation found falsely accused."""
    key = idempotency_key()
    result = ledger().propose_clearing(key, current_actor(), **data)
    return created_response(result, f"/api/clearings/{result.id}")


def _readers(blp: Blueprint, kind: type[ToleranceRuling | Clearing]) -> None:
    reads = RECORD_READS[kind]

    @blp.route("/<uuid:record_id>", endpoint="read")
    @authorized(reads.state)
    @problems(blp, *READ_ERRORS)
    @blp.response(200, RecordSchema)
    def read(record_id: UUID) -> Any:
        """The record's current state (discipline only)."""
        view = ledger().view_record(current_actor(), kind, record_id)
        return view, 200, {"ETag": etag(view["version"])}

    @blp.route("/<uuid:record_id>/history", endpoint="history")
    @authorized(reads.history)
    @problems(blp, *READ_ERRORS)
    @blp.response(200, EventSchema(many=True))
    def history(record_id: UUID) -> Any:
        """Every event of the record, oldest first."""
        return ledger().view_history(current_actor(), kind, record_id)


_readers(rulings, ToleranceRuling)
_readers(clearings, Clearing)
register_actions(rulings, RULING, "record_id")
register_actions(clearings, CLEARING, "record_id")
