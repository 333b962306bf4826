"""A demo enforcement case, recorded through the ledger's use cases as its plan says."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from demo.office import CLERK, EXECUTION, LEGAL, SUPERVISOR, VIOLATION_WEIGHTS, pick
from demo.plans import EnforcementPlan
from demo.run import Run, Track
from demo.text import BASIS, CITY, EVIDENCE, LEADERS, OFFICERS, SAY, SERVICE, VIOLATIONS
from domain.actor import Actor, Role
from domain.enforcement import EnforcementStatus as ES
from domain.kinds import Channel, ComplaintCategory, GridLevel, ViolationType
from domain.outcomes import ClockPause, EvidenceKind, PartyRole, ReviewResult
from domain.outcomes import DecisionType as DEC
from domain.values import Party

VT = ViolationType
REFERRED = {
    VT.ILLEGAL_CONSTRUCTION: ComplaintCategory.ILLEGAL_CONSTRUCTION,
    VT.ROAD_OCCUPATION: ComplaintCategory.ROAD_OCCUPATION,
    VT.STREET_VENDING: ComplaintCategory.BREAKFAST_STALLS,
    VT.CATERING_FUMES: ComplaintCategory.CATERING_ORDER,
}
"""The complaint category a referred case of each violation comes from."""


@dataclass(frozen=True)
class Team:
    """A case's investigating officers (user ids from OFFICERS); the first leads and records the case."""

    officers: tuple[str, ...]

    @property
    def lead(self) -> Actor:
        return Actor(self.officers[0], Role.HANDLER, CITY)

    def others(self) -> list[str]:
        """The squad's officers not on this case, who may chair its hearing (行政处罚法 Art. 64)."""
        return [officer for officer in OFFICERS if officer not in self.officers]


def enforcement(run: Run, plan: EnforcementPlan, index: int) -> None:
    ledger, rng = run.ledger, run.rng
    category = plan.category or pick(rng, VIOLATION_WEIGHTS)
    where = run.office.location(category)
    party = run.office.party(PartyRole.PARTY)
    t = Track(run, plan.stop)
    t.start(
        "enforcement",
        ledger.record_clue,
        run.key("enforcement", index),
        CLERK,
        at=run.start_at(plan.start),
        category=category,
        channel=plan.channel,
        location=where,
        description=VIOLATIONS[category][1].format(addr=where.address, n=rng.randint(20, 160)),
        parties=[party],
        grid_level=rng.choice(list(GridLevel)) if plan.channel is Channel.PATROL else None,
    )
    related = run.latest.get(REFERRED.get(category, ComplaintCategory.OTHER))
    if plan.channel is Channel.COMPLAINT_REFERRAL and related is not None:
        t.do(ledger.link_cases, CLERK, related.id, SAY["from_complaint"], days=(0, 0))
    t.reached(ES.CLUE)
    if plan.decision is None:
        t.do(ledger.decline_enforcement_case, SUPERVISOR, SAY["decline"], status=ES.NOT_FILED)
        return
    t.do(ledger.file_enforcement_case, SUPERVISOR, SAY["file"], CITY, status=ES.FILED)
    team = Team(tuple(rng.sample(list(OFFICERS), 2)))
    t.do(ledger.start_investigation, team.lead, list(team.officers), days=(0, 2), status=ES.INVESTIGATING)
    if plan.extend:
        t.do(ledger.extend_deadline, SUPERVISOR, 30, SAY["survey_more"], days=(0, 2))
    _investigate(t, plan, plan.decision, team, rng.randint(1, 3))
    if plan.reviewed:
        _review(t, plan, plan.decision, team)
    _decide(t, plan, plan.decision, team, party, category)


def _evidence(t: Track, team: Team, kind: EvidenceKind, description: str) -> None:
    digest = hashlib.sha256(f"{t.id}|{t.version}|{description}".encode()).hexdigest()
    collector = t.run.rng.choice(team.officers)
    t.do(t.run.ledger.add_evidence, team.lead, kind, description, digest, collector, days=(0, 2))


def _investigate(t: Track, plan: EnforcementPlan, decision: DEC, team: Team, items: int) -> None:
    ledger = t.run.ledger
    kinds = (EvidenceKind.PHOTO, EvidenceKind.ONSITE_RECORD, EvidenceKind.TESTIMONY, EvidenceKind.VIDEO)
    for kind, description in t.run.rng.sample(list(zip(kinds, EVIDENCE, strict=True)), items):
        _evidence(t, team, kind, description)
    if plan.testing:
        t.do(ledger.pause_clock, team.lead, ClockPause.EXPERT_TESTING, SAY["testing"], days=(0, 1))
        t.do(ledger.resume_clock, team.lead, days=(5, 10))
        _evidence(t, team, EvidenceKind.EXPERT_OPINION, SAY["test_report"])
    _conclude(t, plan, decision, team)


def _conclude(t: Track, plan: EnforcementPlan, decision: DEC, team: Team) -> None:
    summary = f"违法事实清楚，证据确凿，拟作出{decision.zh}的处理"
    conclude = t.run.ledger.conclude_investigation
    t.do(conclude, team.lead, decision, plan.major, plan.complex, summary, days=(2, 6), status=ES.CONCLUDED)


def _review(t: Track, plan: EnforcementPlan, decision: DEC, team: Team) -> None:
    ledger = t.run.ledger
    t.do(ledger.submit_for_review, team.lead, days=(0, 2), status=ES.UNDER_REVIEW)
    if plan.returned:
        t.do(ledger.review_legality, LEGAL, ReviewResult.RETURNED, SAY["returned"])
        _evidence(t, team, EvidenceKind.DOCUMENT, SAY["more_evidence"])
        _conclude(t, plan, decision, team)
        t.do(ledger.submit_for_review, team.lead, days=(0, 1))
    t.do(ledger.review_legality, LEGAL, ReviewResult.APPROVED, SAY["approved"], status=ES.REVIEWED)


def _decide(t: Track, plan: EnforcementPlan, decision: DEC, team: Team, party: Party, category: VT) -> None:
    """Notify a penalty (not an order to rectify), hear, discuss, decide, serve, publish, execute and close."""
    ledger, rng, lead = t.run.ledger, t.run.rng, team.lead
    fine = Decimal(plan.fine or rng.choice(VIOLATIONS[category][2])) if decision is DEC.FINE else None
    if decision.is_penalty:
        t.do(ledger.give_prior_notice, lead, decision, fine, SAY["rights"], hearing_offered=True, status=ES.NOTIFIED)
    if decision.is_penalty and plan.hearing:
        t.do(ledger.request_hearing, lead, days=(1, 4), status=ES.HEARING_REQUESTED)
        t.do(ledger.pause_clock, lead, ClockPause.HEARING, SAY["hearing"], days=(0, 0))
        chair, people = rng.choice(team.others()), [party.name, *(OFFICERS[o] for o in team.officers)]
        t.do(ledger.hold_hearing, LEGAL, chair, people, SAY["heard"], days=(3, 7), status=ES.HEARD)
        t.do(ledger.resume_clock, lead, days=(0, 0))
    if plan.major or plan.complex:
        conclusion = f"同意作出{decision.zh}的决定"
        t.do(ledger.hold_collective_discussion, SUPERVISOR, LEADERS, conclusion, status=ES.DISCUSSED)
    reasons = f"当事人{category.zh}一案，{decision.zh}"
    basis = BASIS.get(decision, BASIS[category])
    t.do(ledger.decide_case, SUPERVISOR, decision, fine, reasons, basis, days=(1, 4), status=ES.DECIDED)
    t.do(ledger.serve_decision, lead, rng.choice(SERVICE), days=(0, 4), status=ES.SERVED)
    if decision is not DEC.NOT_ESTABLISHED:
        t.do(ledger.publish_decision, lead, SAY["published"], status=ES.PUBLISHED)
    if decision.needs_execution:
        t.do(ledger.execute_decision, lead, EXECUTION[decision], days=(5, 15), status=ES.EXECUTED)
    t.do(ledger.close_enforcement_case, SUPERVISOR, SAY["closed"], status=ES.CLOSED)
