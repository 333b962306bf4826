"""Every lifecycle transition as its own POST on the record: path, use case, and body schema."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from domain.case import Case
from domain.clearing import Clearing, ClearingMethod
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.lifecycle import Lifecycle
from domain.outcomes import (
    ClockPause,
    DecisionType,
    EvidenceKind,
    ExecutionResult,
    Finding,
    PartyType,
    Performance,
    RefusalGround,
    ReplyOpinion,
    ReviewResult,
    Satisfaction,
    SessionOutcome,
)
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect, ToleranceRuling
from web.messages import Message
from web.schemas import LocationSchema, PartySchema, action_schema, boolean, code, codes, names, text, whole

MAX_FINE = Decimal(100_000_000)


def _positive_and_bounded(amount: Decimal) -> None:
    if not Decimal(0) < amount <= MAX_FINE:
        raise ma.ValidationError(
            Message(f"must be more than 0 and at most {MAX_FINE} yuan", f"应大于 0 元且不超过 {MAX_FINE} 元")
        )


def _fine() -> fields.Decimal:
    return fields.Decimal(
        places=2,
        allow_none=True,
        load_default=None,
        validate=_positive_and_bounded,
        metadata={"description": "yuan, only with a fine"},
    )


@dataclass(frozen=True)
class Action:
    """``POST /api/{resource}/{id}/{path}`` runs ``use_case`` with the body loaded by ``schema``: the route of
    the domain transition ``transition``."""

    path: str
    use_case: str
    summary: str
    schema: type[ma.Schema]
    transition: str


PUBLIC_NAMES: dict[type[Lifecycle], dict[str, tuple[str, str]]] = {
    Case: {
        "link": ("links", "link_cases"),
        "correct": ("corrections", "correct_case"),
        "pause": ("pause", "pause_clock"),
        "resume": ("resume", "resume_clock"),
        "extend": ("extend", "extend_deadline"),
    },
    Complaint: {
        "not_accept": ("refuse", "refuse_complaint"),
        "reply": ("reply", "reply_to_complaint"),
        "visit": ("visit", "visit_complainant"),
    },
    Dispute: {
        "assign_mediator": ("mediator", "assign_mediator"),
        "recuse": ("recusal", "recuse_mediator"),
        "hold_session": ("sessions", "hold_mediation_session"),
        "agree": ("agreement", "record_agreement"),
        "end": ("end", "end_mediation"),
        "apply_confirmation": ("confirmation", "apply_for_confirmation"),
        "record_confirmation": ("confirmation-result", "record_confirmation"),
        "check_performance": ("performance", "check_performance"),
        "visit": ("visit", "visit_dispute_parties"),
        "flag_risk": ("risk", "flag_dispute_risk"),
    },
    EnforcementCase: {
        "investigate": ("investigation", "start_investigation"),
        "add_evidence": ("evidence", "add_evidence"),
        "conclude": ("conclusion", "conclude_investigation"),
        "submit_review": ("review-request", "submit_for_review"),
        "review": ("review", "review_legality"),
        "notify": ("notice", "give_prior_notice"),
        "request_hearing": ("hearing-request", "request_hearing"),
        "hold_hearing": ("hearing", "hold_hearing"),
        "discuss": ("discussion", "hold_collective_discussion"),
        "decide": ("decision", "decide_case"),
        "serve": ("service", "serve_decision"),
        "publish": ("publication", "publish_decision"),
        "execute": ("execution", "execute_decision"),
    },
    ToleranceRuling: {
        "verify": ("verification", "verify_ruling"),
        "deliberate": ("deliberation", "deliberate_ruling"),
        "rule": ("ruling", "issue_ruling"),
        "notify": ("notice", "notify_ruling"),
        "file_upward": ("filing", "file_ruling_upward"),
    },
    Clearing: {
        "approve": ("approval", "approve_clearing"),
        "clear": ("clearance", "clear_cadre"),
    },
}
"""The one alias table: the route path and use case of each transition whose public names, kept for the API
and the permission table, differ from the domain's. Every other transition's route path is its name and its
use case is its name and the record's (``accept`` of a complaint: ``accept_complaint``)."""

_RECORD_NOUNS: dict[type[Lifecycle], str] = {
    Case: "",
    Complaint: "complaint",
    Dispute: "dispute",
    EnforcementCase: "enforcement_case",
    ToleranceRuling: "ruling",
    Clearing: "clearing",
}


@dataclass(frozen=True)
class _Body:
    summary: str
    fields: dict[str, fields.Field[Any]]


def _body(summary: str, /, **body: fields.Field[Any]) -> _Body:
    return _Body(summary, body)


def _actions(record: type[Lifecycle], bodies: dict[str, _Body]) -> list[Action]:
    """The routes of ``record``'s transitions: one for each, none for another's or for one that creates a record
    or is recorded on another record (a kind's shared ones are :data:`SHARED`, the routes of every case)."""
    transitions = Case.SHARED if record is Case else record.LIFECYCLE
    own = {
        name
        for name, transition in transitions.items()
        if transition.event is not None and not transition.creates and (record is Case or name not in Case.SHARED)
    }
    if set(bodies) != own:
        raise LookupError(f"{record.__name__}: routes {sorted(bodies)} are not its transitions {sorted(own)}")
    aliases, noun = PUBLIC_NAMES[record], _RECORD_NOUNS[record]
    actions = []
    for name, body in bodies.items():
        path, use_case = aliases.get(name, (name.replace("_", "-"), f"{name}_{noun}" if noun else name))
        schema = action_schema("".join(part.title() for part in use_case.split("_")) + "Body", body.fields)
        actions.append(Action(path, use_case, body.summary, schema, name))
    return actions


SHARED = _actions(
    Case,
    {
        "supervise": _body("Put under supervision (督办)", reason=text()),
        "remind": _body("Send a reminder (催办)", note=text()),
        "link": _body(
            "Link a related case",
            related_case_id=fields.UUID(required=True),
            relation=text(long=False),
        ),
        "correct": _body(
            "Correct registered details, naming the event corrected",
            corrects_version=whole(required=True, validate=validate.Range(min=1)),
            reason=text(),
            # Each detail left out stays as registered (no default, so the document promises none).
            category=fields.String(validate=validate.Length(max=64)),
            channel=fields.String(validate=validate.Length(max=64)),
            location=fields.Nested(LocationSchema),
            description=fields.String(validate=validate.Length(min=1, max=4000)),
            parties=fields.List(fields.Nested(PartySchema), validate=validate.Length(max=20)),
        ),
        "pause": _body("Pause the time limit", pause=code(ClockPause), reason=text()),
        "resume": _body("Resume the time limit"),
        "extend": _body(
            "Extend the time limit (approver = caller)",
            days=whole(required=True, validate=validate.Range(min=1, max=365)),
            reason=text(),
            parties_consent=boolean(load_default=False),
        ),
    },
)

COMPLAINT = _actions(
    Complaint,
    {
        "accept": _body("Accept (受理)"),
        "not_accept": _body("Refuse acceptance (不予受理)", reason=text(), route=text()),
        "answer": _body("Answer directly (当场答复)", opinion=code(ReplyOpinion), answer=text()),
        "dispatch": _body(
            "Dispatch to a lead unit and assisting units (交办)",
            lead_unit=text(long=False),
            assisting_units=fields.List(
                fields.String(validate=validate.Length(min=1, max=200)),
                load_default=list,
                validate=validate.Length(max=20),
            ),
            note=text(required=False),
        ),
        "return": _body("Return as outside the unit's remit (退回)", reason=text()),
        "investigate": _body("Record the finding (调查核实)", finding=code(Finding), summary=text()),
        "dispose": _body("Record the action taken (处置)", action_taken=text()),
        "reply": _body(
            "Reply with opinion, facts, reasons and legal basis (答复)",
            opinion=code(ReplyOpinion),
            facts=text(),
            reasons=text(),
            legal_basis=text(),
        ),
        "visit": _body(
            "Record the follow-up visit (回访)",
            satisfaction=code(Satisfaction),
            note=text(required=False),
        ),
        "close": _body("Close (办结)", resolved=boolean(required=True), reason=text(required=False)),
        "reopen": _body("Reopen for handling again (重办)", reason=text()),
        "merge": _body(
            "Merge into a duplicate (并案)",
            duplicate_of=fields.UUID(required=True),
            reason=text(),
        ),
        "transfer": _body("Transfer out (转办)", agency=text(long=False), reason=text()),
    },
)

DISPUTE = _actions(
    Dispute,
    {
        "accept": _body("Accept for mediation"),
        "refuse": _body(
            "Refuse, naming where it belongs",
            ground=code(RefusalGround),
            competent_body=text(required=False, long=False),
            reason=text(),
        ),
        "assign_mediator": _body("Assign a mediator", mediator=text(long=False), unit=text(long=False)),
        "recuse": _body("The mediator withdraws (回避)", reason=text()),
        "investigate": _body("Record the investigation", summary=text()),
        "hold_session": _body(
            "Record a mediation session",
            held_on=fields.Date(required=True),
            participants=names(2),
            notes=text(),
            outcome=code(SessionOutcome),
        ),
        "agree": _body(
            "Record the mediation agreement (调解协议)",
            parties=names(2),
            facts=text(),
            responsibilities=text(),
            terms=text(),
            performance=text(),
            perform_by=fields.Date(required=True),
        ),
        "end": _body("End mediation (终止)", reason=text(), advised_route=text()),
        "apply_confirmation": _body(
            "Apply jointly for judicial confirmation",
            court=text(long=False),
            jointly=boolean(required=True),
        ),
        "record_confirmation": _body(
            "Record the court's confirmation",
            confirmed=boolean(required=True),
            reference=text(long=False),
        ),
        "check_performance": _body(
            "Record performance (履行)",
            result=code(Performance),
            note=text(required=False),
        ),
        "visit": _body(
            "Record the follow-up visit (回访)",
            satisfaction=code(Satisfaction),
            note=text(required=False),
        ),
        "close": _body("Close", resolved=boolean(required=True), reason=text(required=False)),
        "flag_risk": _body("Flag at risk of escalating", reason=text(), reported_to=text(long=False)),
    },
)

ENFORCEMENT = _actions(
    EnforcementCase,
    {
        "file": _body("File (立案) and give to a unit", reason=text(), unit=text(long=False)),
        "decline": _body("Do not file (不予立案)", reason=text()),
        "investigate": _body("Assign at least two officers", officers=names(2, 10)),
        "add_evidence": _body(
            "Record an evidence item by its SHA-256",
            kind=code(EvidenceKind),
            description=text(),
            sha256=fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$")),
            collected_by=text(long=False),
        ),
        "conclude": _body(
            "Conclude the investigation",
            proposed=code(DecisionType),
            major=boolean(required=True),
            complex_case=boolean(required=True),
            summary=text(),
        ),
        "submit_review": _body("Submit for legality review (法制审核)"),
        "review": _body(
            "Legality review: approve or return",
            result=code(ReviewResult),
            opinions=text(required=False),
        ),
        "notify": _body(
            "Give prior notice of the intended penalty",
            intended=code(DecisionType),
            fine=_fine(),
            rights=text(),
            party_type=code(PartyType, required=False, load_default=PartyType.INDIVIDUAL.code),
            hearing_offered=boolean(
                load_default=False,
                metadata={"description": "the notice offers a hearing: required for a large fine or a heavy penalty"},
            ),
        ),
        "request_hearing": _body("Record the party's request for a hearing"),
        "hold_hearing": _body("Record the hearing", chair=text(long=False), participants=names(), record=text()),
        "discuss": _body(
            "Record the collective discussion",
            participants=names(3),
            conclusion=text(),
        ),
        "decide": _body(
            "Decide",
            decision=code(DecisionType),
            fine=_fine(),
            reasons=text(),
            legal_basis=text(),
        ),
        "serve": _body("Record service of the decision (送达)", method=text(long=False)),
        "publish": _body("Record publication (执法公示)", where=text(long=False)),
        "execute": _body("Record execution", result=code(ExecutionResult), note=text(required=False)),
        "close": _body("Close (结案)", reason=text(required=False)),
    },
)

RULING = _actions(
    ToleranceRuling,
    {
        "accept": _body("Accept the request"),
        "decline": _body("Decline the request", reason=text()),
        "verify": _body(
            "Record each condition checked",
            conditions_met=codes(ToleranceCondition, required=True),
            negative_list_hit=boolean(required=True),
            notes=text(),
        ),
        "deliberate": _body("Record the collective deliberation", participants=names(3), summary=text()),
        "rule": _body(
            "Rule",
            outcome=code(RulingOutcome),
            effects=codes(ToleranceEffect, load_default=list),
            basis=text(),
        ),
        "notify": _body("Record notice to the cadre", notified=text(long=False)),
        "file_upward": _body("Record filing upward (备案)", authority=text(long=False)),
        "appeal": _body("Record the cadre's appeal", grounds=text()),
    },
)

CLEARING = _actions(
    Clearing,
    {
        "approve": _body("Approve the clearing"),
        "clear": _body("Clear the cadre's name", method=code(ClearingMethod), scope=text()),
        "record": _body("Keep on the cadre's record", record_reference=text(long=False)),
    },
)
