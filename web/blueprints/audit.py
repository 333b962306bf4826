"""The discipline committee's audit reads, and reading or erasing confidential identities."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import fields

from web.api import Blueprint
from web.auth import current_actor
from web.routing import READ_ERRORS, authorized, command_response, problems
from web.schemas import SHORT, CommandResultSchema, EventSchema, QueryArgs, Strict, moment, text
from web.state import ledger

TAG = "Audit"
blp = Blueprint("audit", __name__, tag=TAG, url_prefix="/api/audit", description="Audit for discipline review (纪工委)")

Period = QueryArgs.from_dict({"since": moment(required=True), "until": moment(required=True)}, name="AuditPeriod")
CadreFilter = QueryArgs.from_dict({"cadre_id": fields.String(load_default=None, validate=SHORT)}, name="CadreFilter")
Reason = Strict.from_dict({"reason": text(), "at": moment(load_default=None)}, name="StatedReason")


class ActivitySchema(EventSchema):
    position = fields.Integer(required=True, metadata={"description": "the event's notification id"})
    aggregate_id = fields.String(required=True)
    aggregate = fields.String(required=True, metadata={"description": "the kind of record"})


class RegisterSchema(ma.Schema):
    cadre_id = fields.String(required=True)
    cadre_name = fields.String(required=True)
    rulings = fields.List(fields.Dict())
    clearings = fields.List(fields.Dict())


class ChainStatusSchema(ma.Schema):
    log_size = fields.Integer(required=True)
    last_notification_id = fields.Integer(required=True)
    head_hash = fields.String(allow_none=True)
    latest_checkpoint = fields.Dict(allow_none=True)


@blp.route("/users/<string:user_id>/activity", endpoint="read_user_activity")
@authorized("read_user_activity")
@problems(blp, 400, 401, 403, 422, 429, 503)
@blp.arguments(Period, location="query")
@blp.response(200, ActivitySchema(many=True))
def read_user_activity(query: dict[str, Any], user_id: str) -> Any:
    """Everything one user recorded in a period, in log order (identities masked)."""
    return ledger().read_user_activity(current_actor(), user_id, query["since"], query["until"])


@blp.route("/rulings", endpoint="read_ruling_register")
@authorized("read_ruling_register")
@problems(blp, 400, 401, 403, 422, 429, 503)
@blp.arguments(CadreFilter, location="query")
@blp.response(200, RegisterSchema(many=True))
def read_ruling_register(query: dict[str, Any]) -> Any:
    """The register of tolerated-error rulings (容错免责), per cadre."""
    return ledger().read_ruling_register(current_actor(), query["cadre_id"])


@blp.route("/clearings", endpoint="read_clearing_register")
@authorized("read_clearing_register")
@problems(blp, 400, 401, 403, 422, 429, 503)
@blp.arguments(CadreFilter, location="query")
@blp.response(200, RegisterSchema(many=True))
def read_clearing_register(query: dict[str, Any]) -> Any:
    """The register of clearings (澄清正名), per cadre."""
    return ledger().read_clearing_register(current_actor(), query["cadre_id"])


@blp.route("/cases/<uuid:case_id>/evidence", endpoint="export_case_evidence")
@authorized("export_case_evidence")
@problems(blp, *READ_ERRORS)
@blp.response(200, description="An evidence bundle; check it with `caseledger audit verify-bundle FILE`")
def export_case_evidence(case_id: UUID) -> Any:
    """One case's stored events, their chain links, the path to the latest signed checkpoint, and the key."""
    return ledger().export_case_evidence(current_actor(), case_id)


@blp.route("/chain", endpoint="read_chain_status")
@authorized("read_chain_status")
@problems(blp, 401, 403, 429, 503)
@blp.response(200, ChainStatusSchema)
def read_chain_status() -> Any:
    """The chain's head and the latest recorded checkpoint (run `caseledger audit verify` to check them)."""
    return ledger().read_chain_status(current_actor())


@blp.route("/cases/<uuid:case_id>/identities", methods=["POST"], endpoint="read_identity")
@authorized("read_identity")
@problems(blp, 400, 401, 403, 404, 409, 415, 422, 429, 503)
@blp.arguments(Reason)
@blp.response(200, description="The case's parties, protected identities in clear")
def read_identity(data: dict[str, Any], case_id: UUID) -> Any:
    """Read the case's confidential identities, stating why; the reading is recorded first."""
    return ledger().read_identity(current_actor(), case_id, data["reason"], at=data["at"])


@blp.route("/cases/<uuid:case_id>/identity-readings", endpoint="read_access_log")
@authorized("read_access_log")
@problems(blp, *READ_ERRORS)
@blp.response(200, EventSchema(many=True))
def read_access_log(case_id: UUID) -> Any:
    """Who read the case's confidential identities, when and why."""
    return ledger().read_access_log(current_actor(), case_id)


@blp.route("/identities/<string:person_id>/erasure", methods=["POST"], endpoint="erase_identity")
@authorized("erase_identity")
@problems(blp, 400, 401, 403, 409, 415, 422, 429, 503)
@blp.arguments(Reason)
@blp.response(200, CommandResultSchema)
def erase_identity(data: dict[str, Any], person_id: str) -> Any:
    """Destroy a person's identity key where the law requires it; the erasure is recorded with its reason."""
    return command_response(ledger().erase_identity(current_actor(), person_id, data["reason"], at=data["at"]))
