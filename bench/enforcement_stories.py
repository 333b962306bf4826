"""The demo office's enforcement cases, tolerated-error rulings and clearings, walked through their
aggregates for the benchmark's log (see :mod:`bench.stories`)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from uuid import uuid4

from bench.desk import Desk, Story, Track
from demo.enforcement import REFERRED, Team
from demo.office import CLERK, DISCIPLINE, EXECUTION, LEGAL, SUPERVISOR, VIOLATION_WEIGHTS, pick
from demo.plans import EnforcementPlan, bulk_enforcement
from demo.text import BASIS, CITY, CLEARING, EVIDENCE, LEADERS, OFFICERS, RULING, SAY, SERVICE, VIOLATIONS
from domain.clearing import AccusationFinding, Clearing, ClearingMethod
from domain.enforcement import EnforcementCase
from domain.kinds import CaseKind, Channel, ComplaintCategory, GridLevel, ViolationType
from domain.outcomes import ClockPause, EvidenceKind, PartyRole, ReviewResult
from domain.outcomes import DecisionType as DEC
from domain.time import local_date
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect, ToleranceRuling

KINDS = (EvidenceKind.PHOTO, EvidenceKind.ONSITE_RECORD, EvidenceKind.TESTIMONY, EvidenceKind.VIDEO)


def enforcement(desk: Desk, track: Track, at: datetime) -> Story:
    rng, office = desk.rng, desk.office
    plan = bulk_enforcement(rng)
    category = plan.category or pick(rng, VIOLATION_WEIGHTS)
    where = office.location(category)
    party = office.party(PartyRole.PARTY)
    e = EnforcementCase(
        number=desk.number(CaseKind.ENFORCEMENT, at),
        filing_key=desk.key("enforcement"),
        category=category,
        channel=plan.channel,
        location=where,
        description=VIOLATIONS[category][1].format(addr=where.address, n=rng.randint(20, 160)),
        parties=[party],
        grid_level=rng.choice(list(GridLevel)) if plan.channel is Channel.PATROL else None,
        fingerprint=uuid4().hex,
        actor=CLERK,
        at=at,
    )
    track.aggregate = e
    desk.recent_enforcement = e.id
    related = desk.open_complaint.get(REFERRED.get(category, ComplaintCategory.OTHER))
    if plan.channel is Channel.COMPLAINT_REFERRAL and related is not None:
        at = yield (0, 0)
        e.link(CLERK, at, related, SAY["from_complaint"])
    decision = plan.decision
    if decision is None:
        at = yield (1, 3)
        e.decline(SUPERVISOR, at, SAY["decline"])
        return
    at = yield (1, 3)
    e.file(SUPERVISOR, at, SAY["file"], CITY)
    team = Team(tuple(rng.sample(list(OFFICERS), 2)))
    at = yield (0, 2)
    e.start_investigation(team.lead, at, list(team.officers))
    if plan.extend:
        at = yield (0, 2)
        e.extend_deadline(SUPERVISOR, at, 30, SAY["survey_more"], desk.rules)
    yield from _investigation(desk, e, plan, decision, team, rng.randint(1, 3))
    if plan.reviewed:
        yield from _review(desk, e, plan, decision, team)
    yield from _decision(desk, e, plan, decision, team, party.name, category)


def _investigation(
    desk: Desk, e: EnforcementCase, plan: EnforcementPlan, decision: DEC, team: Team, items: int
) -> Story:
    for kind, description in desk.rng.sample(list(zip(KINDS, EVIDENCE, strict=True)), items):
        at = yield (0, 2)
        _add_evidence(desk, e, team, at, kind, description)
    if plan.testing:
        at = yield (0, 1)
        e.pause_clock(team.lead, at, ClockPause.EXPERT_TESTING, SAY["testing"], desk.rules)
        at = yield (5, 10)
        e.resume_clock(team.lead, at)
        at = yield (0, 2)
        _add_evidence(desk, e, team, at, EvidenceKind.EXPERT_OPINION, SAY["test_report"])
    at = yield (2, 6)
    e.conclude_investigation(
        team.lead, at, decision, plan.major, plan.complex, f"违法事实清楚，证据确凿，拟作出{decision.zh}的处理"
    )


def _add_evidence(
    desk: Desk, e: EnforcementCase, team: Team, at: datetime, kind: EvidenceKind, description: str
) -> None:
    digest = hashlib.sha256(f"{e.id}|{e.version}|{description}".encode()).hexdigest()
    e.add_evidence(team.lead, at, kind, description, digest, desk.rng.choice(team.officers))


def _review(desk: Desk, e: EnforcementCase, plan: EnforcementPlan, decision: DEC, team: Team) -> Story:
    at = yield (0, 2)
    e.submit_for_review(team.lead, at)
    if plan.returned:
        at = yield (1, 3)
        e.review_legality(LEGAL, at, ReviewResult.RETURNED, SAY["returned"])
        at = yield (0, 2)
        _add_evidence(desk, e, team, at, EvidenceKind.DOCUMENT, SAY["more_evidence"])
        at = yield (2, 6)
        e.conclude_investigation(team.lead, at, decision, plan.major, plan.complex, "补充证据后调查终结")
        at = yield (0, 1)
        e.submit_for_review(team.lead, at)
    at = yield (1, 3)
    e.review_legality(LEGAL, at, ReviewResult.APPROVED, SAY["approved"])


def _decision(
    desk: Desk,
    e: EnforcementCase,
    plan: EnforcementPlan,
    decision: DEC,
    team: Team,
    party: str,
    category: ViolationType,
) -> Story:
    """Notify a penalty, hear, discuss, decide, serve, publish, execute and close."""
    rng, lead = desk.rng, team.lead
    fine = Decimal(plan.fine or rng.choice(VIOLATIONS[category][2])) if decision is DEC.FINE else None
    if decision.is_penalty:
        at = yield (1, 3)
        e.give_prior_notice(lead, at, decision, fine, SAY["rights"], hearing_offered=True)
    if decision.is_penalty and plan.hearing:
        at = yield (1, 4)
        e.request_hearing(lead, at, desk.calendar, desk.rules)
        at = yield (0, 0)
        e.pause_clock(lead, at, ClockPause.HEARING, SAY["hearing"], desk.rules)
        people = [party, *(OFFICERS[o] for o in team.officers)]
        at = yield (3, 7)
        e.hold_hearing(LEGAL, at, rng.choice(team.others()), people, SAY["heard"])
        at = yield (0, 0)
        e.resume_clock(lead, at)
    if plan.major or plan.complex:
        at = yield (1, 3)
        e.discuss(SUPERVISOR, at, LEADERS, f"同意作出{decision.zh}的决定")
    at = yield (1, 4)
    e.decide(
        SUPERVISOR,
        at,
        decision,
        fine,
        f"当事人{category.zh}一案，{decision.zh}",
        BASIS.get(decision, BASIS[category]),
    )
    at = yield (0, 4)
    e.serve(lead, at, rng.choice(SERVICE))
    if decision is not DEC.NOT_ESTABLISHED:
        at = yield (1, 3)
        e.publish(lead, at, SAY["published"])
    if decision.needs_execution:
        at = yield (5, 15)
        e.execute(lead, at, EXECUTION[decision], "")
    at = yield (1, 3)
    e.close(SUPERVISOR, at, SAY["closed"])


# -- a few tolerated-error rulings (exempted) and clearings of falsely accused cadres


def ruling(desk: Desk, track: Track, at: datetime) -> Story:
    key = desk.key("ruling")
    cadre = desk.office.name()
    r = ToleranceRuling.request(
        request_key=key,
        cadre_id=f"cadre-{key}",
        cadre_name=cadre,
        unit=CITY,
        case_ids=[] if desk.recent_enforcement is None else [desk.recent_enforcement],
        error="执法过程中程序瑕疵",
        consequences=RULING["consequences"],
        circumstances=RULING["circumstances"],
        motive=RULING["motive"],
        proposed_by_unit=False,
        actor=DISCIPLINE,
        at=at,
    )
    track.aggregate = r
    at = yield (3, 8)
    r.accept(DISCIPLINE, at)
    at = yield (3, 8)
    r.verify(DISCIPLINE, at, list(ToleranceCondition), False, RULING["verified"])
    at = yield (3, 8)
    r.deliberate(DISCIPLINE, at, LEADERS, "集体研究认为应予免责")
    at = yield (3, 8)
    r.rule(DISCIPLINE, at, RulingOutcome.EXEMPTED, list(ToleranceEffect), RULING["basis"])
    at = yield (3, 8)
    r.notify(DISCIPLINE, at, RULING["notified"].format(cadre=cadre))
    at = yield (3, 8)
    r.file_upward(DISCIPLINE, at, RULING["filed_with"])


def clearing(desk: Desk, track: Track, at: datetime) -> Story:
    key = desk.key("clearing")
    c = Clearing.propose(
        request_key=key,
        cadre_id=f"cadre-{key}",
        cadre_name=desk.office.name(),
        unit=CITY,
        accusation=CLEARING["accusation"],
        investigation=CLEARING["investigation"],
        finding=AccusationFinding.FALSE,
        actor=DISCIPLINE,
        at=at,
    )
    track.aggregate = c
    at = yield (3, 6)
    c.approve(DISCIPLINE, at)
    at = yield (1, 3)
    c.clear(DISCIPLINE, at, ClearingMethod.MEETING_NOTICE, CLEARING["scope"])
    at = yield (1, 3)
    c.record(DISCIPLINE, at, CLEARING["record"].format(year=local_date(at).year))
