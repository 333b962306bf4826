"""A demo dispute, recorded through the ledger's use cases as its plan says."""

from __future__ import annotations

from datetime import timedelta

from demo.office import CLERK, DISPUTE_CHANNELS, DISPUTE_WEIGHTS, SUPERVISOR, handler, pick
from demo.plans import DisputePlan
from demo.run import Run, Track
from demo.text import DISPUTES, MEDIATORS, REFUSALS, SAY, SESSION_NOTES, STREET_MEDIATION, mediation_committee
from domain.actor import Actor
from domain.dispute import DisputeStatus as DS
from domain.kinds import DisputeType
from domain.outcomes import ClockPause, PartyRole, Performance, Satisfaction, SessionOutcome
from domain.time import local_date


def dispute(run: Run, plan: DisputePlan, index: int) -> None:
    ledger, rng, office = run.ledger, run.rng, run.office
    category = plan.category or pick(rng, DISPUTE_WEIGHTS)
    a = office.party(PartyRole.APPLICANT)
    b = office.party(PartyRole.RESPONDENT, a.name)
    where = office.location(category)
    t = Track(run, plan.stop)
    t.start(
        "dispute",
        ledger.file_dispute,
        run.key("dispute", index),
        CLERK,
        at=run.start_at(plan.start),
        category=category,
        channel=pick(rng, DISPUTE_CHANNELS),
        location=where,
        description=DISPUTES[category][1].format(a=a.name, b=b.name),
        parties=[a, b],
    )
    t.reached(DS.APPLIED)
    if plan.refusal is not None:
        body, reason = REFUSALS[plan.refusal]
        t.do(ledger.refuse_dispute, SUPERVISOR, plan.refusal, body, reason, status=DS.REFUSED)
        return
    t.do(ledger.accept_dispute, SUPERVISOR, days=(0, 2), status=DS.ACCEPTED)
    first, second = rng.sample(MEDIATORS, 2)
    unit = rng.choice((mediation_committee(where.village), STREET_MEDIATION))
    t.do(ledger.assign_mediator, SUPERVISOR, first, unit, days=(0, 2), status=DS.MEDIATOR_ASSIGNED)
    if plan.recusal:
        t.do(ledger.recuse_mediator, SUPERVISOR, SAY["recuse"], days=(0, 1))
        t.do(ledger.assign_mediator, SUPERVISOR, second, unit, days=(0, 1))
    mediation = handler(unit)
    t.do(ledger.investigate_dispute, mediation, SAY["survey"], days=(1, 4), status=DS.INVESTIGATED)
    if plan.risk:
        t.do(ledger.flag_dispute_risk, mediation, SAY["risk"], SAY["risk_to"], days=(0, 1))
    if plan.extend:
        t.do(ledger.pause_clock, mediation, ClockPause.WAITING_ON_PARTY, SAY["waiting"], days=(0, 2))
        t.do(ledger.resume_clock, mediation, days=(3, 6))
        t.do(ledger.extend_deadline, SUPERVISOR, 15, SAY["consent"], parties_consent=True, days=(0, 1))
    _mediate(t, plan, mediation, [a.name, b.name, second if plan.recusal else first], category)


def _mediate(t: Track, plan: DisputePlan, mediation: Actor, people: list[str], category: DisputeType) -> None:
    ledger, rng = t.run.ledger, t.run.rng
    for n in range(plan.sessions):
        outcome = rng.choice((SessionOutcome.PROGRESS, SessionOutcome.ADJOURNED))
        if n == plan.sessions - 1:
            outcome = SessionOutcome.AGREEMENT_REACHED if plan.agreed else SessionOutcome.FAILED
        at = t.next(2, 6)
        session = ledger.hold_mediation_session
        t.do(session, mediation, local_date(at), people, SESSION_NOTES[outcome], outcome, when=at, status=DS.MEDIATING)
    if not plan.agreed:
        t.do(ledger.end_mediation, mediation, SAY["ended"], SAY["sue"], days=(0, 1), status=DS.ENDED)
        t.do(ledger.visit_dispute_parties, CLERK, Satisfaction.BASICALLY, SAY["to_court"], days=(2, 5))
        t.do(ledger.close_dispute, SUPERVISOR, False, SAY["ended"], days=(0, 2))
        return
    at = t.next(0, 0)
    terms = f"{people[1]}向{people[0]}支付补偿款{rng.choice((2000, 5000, 8000))}元，双方不再就此事发生争执"
    facts, by = f"双方因{category.zh}事宜发生争议", local_date(at) + timedelta(days=15)
    agreement = (people[:2], facts, SAY["duty"], terms, SAY["payment"], by)
    t.do(ledger.record_agreement, mediation, *agreement, when=at, status=DS.AGREED)
    if plan.confirmation:
        t.do(ledger.apply_for_confirmation, mediation, SAY["court"], True, days=(1, 6), status=DS.CONFIRMATION_APPLIED)
        reference = f"（{t.run.year}）民特字第{rng.randint(10, 300)}号"
        t.do(ledger.record_confirmation, mediation, True, reference, days=(5, 10))
    note = f"回访核查，协议{plan.performance.zh}"
    t.do(ledger.check_performance, mediation, plan.performance, note, days=(12, 18), status=DS.PERFORMANCE_CHECKED)
    fulfilled = plan.performance is Performance.FULFILLED
    satisfaction = Satisfaction.SATISFIED if fulfilled else Satisfaction.DISSATISFIED
    t.do(ledger.visit_dispute_parties, CLERK, satisfaction, days=(1, 4), status=DS.VISITED)
    reason = "" if fulfilled else SAY["unfulfilled"]
    t.do(ledger.close_dispute, SUPERVISOR, fulfilled, reason, days=(0, 2), status=DS.CLOSED)
