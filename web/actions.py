"""Every lifecycle action as its own POST on the case: path, use case, and body schema."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from domain.clearing import ClearingMethod
from domain.kinds import ComplaintCategory, DisputeType, ViolationType
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
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect
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
    """``POST /api/{resource}/{id}/{path}`` runs ``use_case`` with the body loaded by ``schema``."""

    path: str
    use_case: str
    summary: str
    schema: type[ma.Schema]


def _action(path: str, use_case: str, title: str, /, **body: fields.Field[Any]) -> Action:
    name = "".join(part.title() for part in use_case.split("_")) + "Body"
    return Action(path, use_case, title, action_schema(name, body))


SHARED = [
    _action("supervise", "supervise", "Put under supervision (督办)", reason=text()),
    _action("remind", "remind", "Send a reminder (催办)", note=text()),
    _action(
        "links",
        "link_cases",
        "Link a related case",
        related_case_id=fields.UUID(required=True),
        relation=text(long=False),
    ),
    _action(
        "corrections",
        "correct_case",
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
    _action("pause", "pause_clock", "Pause the time limit", pause=code(ClockPause), reason=text()),
    _action("resume", "resume_clock", "Resume the time limit"),
    _action(
        "extend",
        "extend_deadline",
        "Extend the time limit (approver = caller)",
        days=whole(required=True, validate=validate.Range(min=1, max=365)),
        reason=text(),
        parties_consent=boolean(load_default=False),
    ),
]

COMPLAINT = [
    _action("accept", "accept_complaint", "Accept (受理)"),
    _action("refuse", "refuse_complaint", "Refuse acceptance (不予受理)", reason=text(), route=text()),
    _action("answer", "answer_complaint", "Answer directly (当场答复)", opinion=code(ReplyOpinion), answer=text()),
    _action(
        "dispatch",
        "dispatch_complaint",
        "Dispatch to a lead unit and assisting units (交办)",
        lead_unit=text(long=False),
        assisting_units=fields.List(
            fields.String(validate=validate.Length(min=1, max=200)), load_default=list, validate=validate.Length(max=20)
        ),
        note=text(required=False),
    ),
    _action("return", "return_complaint", "Return as outside the unit's remit (退回)", reason=text()),
    _action(
        "investigate", "investigate_complaint", "Record the finding (调查核实)", finding=code(Finding), summary=text()
    ),
    _action("dispose", "dispose_complaint", "Record the action taken (处置)", action_taken=text()),
    _action(
        "reply",
        "reply_to_complaint",
        "Reply with opinion, facts, reasons and legal basis (答复)",
        opinion=code(ReplyOpinion),
        facts=text(),
        reasons=text(),
        legal_basis=text(),
    ),
    _action(
        "visit",
        "visit_complainant",
        "Record the follow-up visit (回访)",
        satisfaction=code(Satisfaction),
        note=text(required=False),
    ),
    _action("close", "close_complaint", "Close (办结)", resolved=boolean(required=True), reason=text(required=False)),
    _action("reopen", "reopen_complaint", "Reopen for handling again (重办)", reason=text()),
    _action(
        "merge",
        "merge_complaint",
        "Merge into a duplicate (并案)",
        duplicate_of=fields.UUID(required=True),
        reason=text(),
    ),
    _action("transfer", "transfer_complaint", "Transfer out (转办)", agency=text(long=False), reason=text()),
]

DISPUTE = [
    _action("accept", "accept_dispute", "Accept for mediation"),
    _action(
        "refuse",
        "refuse_dispute",
        "Refuse, naming where it belongs",
        ground=code(RefusalGround),
        competent_body=text(required=False, long=False),
        reason=text(),
    ),
    _action("mediator", "assign_mediator", "Assign a mediator", mediator=text(long=False), unit=text(long=False)),
    _action("recusal", "recuse_mediator", "The mediator withdraws (回避)", reason=text()),
    _action("investigate", "investigate_dispute", "Record the investigation", summary=text()),
    _action(
        "sessions",
        "hold_mediation_session",
        "Record a mediation session",
        held_on=fields.Date(required=True),
        participants=names(2),
        notes=text(),
        outcome=code(SessionOutcome),
    ),
    _action(
        "agreement",
        "record_agreement",
        "Record the mediation agreement (调解协议)",
        parties=names(2),
        facts=text(),
        responsibilities=text(),
        terms=text(),
        performance=text(),
        perform_by=fields.Date(required=True),
    ),
    _action("end", "end_mediation", "End mediation (终止)", reason=text(), advised_route=text()),
    _action(
        "confirmation",
        "apply_for_confirmation",
        "Apply jointly for judicial confirmation",
        court=text(long=False),
        jointly=boolean(required=True),
    ),
    _action(
        "confirmation-result",
        "record_confirmation",
        "Record the court's confirmation",
        confirmed=boolean(required=True),
        reference=text(long=False),
    ),
    _action(
        "performance",
        "check_performance",
        "Record performance (履行)",
        result=code(Performance),
        note=text(required=False),
    ),
    _action(
        "visit",
        "visit_dispute_parties",
        "Record the follow-up visit (回访)",
        satisfaction=code(Satisfaction),
        note=text(required=False),
    ),
    _action("close", "close_dispute", "Close", resolved=boolean(required=True), reason=text(required=False)),
    _action("risk", "flag_dispute_risk", "Flag at risk of escalating", reason=text(), reported_to=text(long=False)),
]

ENFORCEMENT = [
    _action("file", "file_enforcement_case", "File (立案) and give to a unit", reason=text(), unit=text(long=False)),
    _action("decline", "decline_enforcement_case", "Do not file (不予立案)", reason=text()),
    _action("investigation", "start_investigation", "Assign at least two officers", officers=names(2, 10)),
    _action(
        "evidence",
        "add_evidence",
        "Record an evidence item by its SHA-256",
        kind=code(EvidenceKind),
        description=text(),
        sha256=fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$")),
        collected_by=text(long=False),
    ),
    _action(
        "conclusion",
        "conclude_investigation",
        "Conclude the investigation",
        proposed=code(DecisionType),
        major=boolean(required=True),
        complex_case=boolean(required=True),
        summary=text(),
    ),
    _action("review-request", "submit_for_review", "Submit for legality review (法制审核)"),
    _action(
        "review",
        "review_legality",
        "Legality review: approve or return",
        result=code(ReviewResult),
        opinions=text(required=False),
    ),
    _action(
        "notice",
        "give_prior_notice",
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
    _action("hearing-request", "request_hearing", "Record the party's request for a hearing"),
    _action(
        "hearing", "hold_hearing", "Record the hearing", chair=text(long=False), participants=names(), record=text()
    ),
    _action(
        "discussion",
        "hold_collective_discussion",
        "Record the collective discussion",
        participants=names(3),
        conclusion=text(),
    ),
    _action(
        "decision",
        "decide_case",
        "Decide",
        decision=code(DecisionType),
        fine=_fine(),
        reasons=text(),
        legal_basis=text(),
    ),
    _action("service", "serve_decision", "Record service of the decision (送达)", method=text(long=False)),
    _action("publication", "publish_decision", "Record publication (执法公示)", where=text(long=False)),
    _action(
        "execution", "execute_decision", "Record execution", result=code(ExecutionResult), note=text(required=False)
    ),
    _action("close", "close_enforcement_case", "Close (结案)", reason=text(required=False)),
]

RULING = [
    _action("accept", "accept_ruling", "Accept the request"),
    _action("decline", "decline_ruling", "Decline the request", reason=text()),
    _action(
        "verification",
        "verify_ruling",
        "Record each condition checked",
        conditions_met=codes(ToleranceCondition, required=True),
        negative_list_hit=boolean(required=True),
        notes=text(),
    ),
    _action(
        "deliberation", "deliberate_ruling", "Record the collective deliberation", participants=names(3), summary=text()
    ),
    _action(
        "ruling",
        "issue_ruling",
        "Rule",
        outcome=code(RulingOutcome),
        effects=codes(ToleranceEffect, load_default=list),
        basis=text(),
    ),
    _action("notice", "notify_ruling", "Record notice to the cadre", notified=text(long=False)),
    _action("filing", "file_ruling_upward", "Record filing upward (备案)", authority=text(long=False)),
    _action("appeal", "appeal_ruling", "Record the cadre's appeal", grounds=text()),
]

CLEARING = [
    _action("approval", "approve_clearing", "Approve the clearing"),
    _action("clearance", "clear_cadre", "Clear the cadre's name", method=code(ClearingMethod), scope=text()),
    _action("record", "record_clearing", "Keep on the cadre's record", record_reference=text(long=False)),
]

CATEGORIES = {"complaints": ComplaintCategory, "disputes": DisputeType, "enforcement-cases": ViolationType}
