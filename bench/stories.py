"""The demo office's complaints and disputes, walked through their aggregates, for the benchmark's log.

Each story draws its plan from the same mix as the demo year's bulk (:mod:`demo.plans`) and takes the
steps the demo records through the use cases, on the aggregate itself: it yields how many working
days until its next step (from, to; 0: later the same day) and receives the moment of that step.
The simulation (:mod:`bench.office_log`) interleaves the stories of many records and saves them in
large batches. Complainants' identities are sealed as the ledger seals them, with a key not kept.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

from application.sealing import seal_party
from bench.desk import Desk, Story, Track
from demo.complaints import lead_unit
from demo.office import (
    CLERK,
    COMPLAINT_CHANNELS,
    COMPLAINT_WEIGHTS,
    DISPUTE_CHANNELS,
    DISPUTE_WEIGHTS,
    SUPERVISOR,
    handler,
    pick,
)
from demo.plans import ComplaintPlan, DisputePlan, bulk_complaint, bulk_dispute
from demo.text import (
    ASSIST,
    BUILDING,
    CITY,
    COMPLAINTS,
    DISPUTES,
    MEDIATORS,
    REFUSALS,
    REPLIES,
    SAY,
    SESSION_NOTES,
)
from domain.actor import Actor
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.kinds import CaseKind, Channel, ComplaintCategory
from domain.outcomes import (
    ClockPause,
    Finding,
    PartyRole,
    Performance,
    ReplyOpinion,
    Satisfaction,
    SessionOutcome,
)
from domain.time import local_date

# -- complaints ------------------------------------------------------------------------------------------


def complaint(desk: Desk, track: Track, at: datetime) -> Story:
    rng, office = desk.rng, desk.office
    plan = bulk_complaint(rng)
    category = plan.category or pick(rng, COMPLAINT_WEIGHTS)
    where = office.location(category)
    adm = category is ComplaintCategory.ADMINISTRATIVE_EFFICIENCY
    channel = Channel.EFFICIENCY_HOTLINE if adm else pick(rng, COMPLAINT_CHANNELS)
    anonymous = channel is Channel.MAILBOX and plan.may_be_anonymous and rng.random() < 0.4
    party = office.party(PartyRole.WHISTLEBLOWER if adm else PartyRole.COMPLAINANT)
    c = Complaint(
        number=desk.number(CaseKind.COMPLAINT, at),
        filing_key=desk.key("complaint"),
        category=category,
        channel=channel,
        location=where,
        description=COMPLAINTS[category][2].format(addr=where.address),
        parties=[] if anonymous else [seal_party(party, party.party_id, desk.seal_key)],
        anonymous=anonymous,
        fingerprint=uuid4().hex,
        actor=CLERK,
        at=at,
    )
    track.aggregate = c
    duplicate_of = desk.open_complaint.get(category)
    if plan.outcome == "not_accepted":
        at = yield (1, 5)
        c.not_accept(SUPERVISOR, at, SAY["refuse"], SAY["route"])
    elif plan.outcome == "transferred":
        at = yield (1, 3)
        c.transfer_out(SUPERVISOR, at, SAY["transfer_to"], SAY["transfer"])
    elif plan.outcome == "answered":
        at = yield (0, 0)
        c.answer_directly(CLERK, at, ReplyOpinion.EXPLAIN, REPLIES[category][0])
        if not anonymous:
            at = yield (1, 3)
            c.visit(CLERK, at, Satisfaction.SATISFIED, SAY["answered"])
        at = yield (0, 2)
        c.close(SUPERVISOR, at, resolved=True)
    elif plan.outcome == "merged" and duplicate_of is not None:
        at = yield (0, 1)
        c.merge_into(SUPERVISOR, at, duplicate_of, SAY["merge"])
    else:
        desk.open_complaint[category] = c.id
        yield from _handled(desk, c, plan, category, lead_unit(category, where), anonymous)
        if desk.open_complaint.get(category) == c.id:
            del desk.open_complaint[category]


def _handled(
    desk: Desk, c: Complaint, plan: ComplaintPlan, category: ComplaintCategory, lead: str, anonymous: bool
) -> Story:
    at = yield (0, 2)
    c.accept(SUPERVISOR, at)
    if plan.returned:
        wrong = CITY if lead != CITY else BUILDING
        at = yield (0, 1)
        c.dispatch(SUPERVISOR, at, wrong, [])
        at = yield (1, 4)
        c.return_to_dispatcher(handler(wrong), at, f"所反映问题不属{wrong}职责，申请退回", desk.calendar, desk.rules)
    assist = ASSIST.get(category, [])
    at = yield (0, 1)
    c.dispatch(SUPERVISOR, at, lead, assist, SAY["dispatch"])
    if plan.supervise:
        at = yield (0, 2)
        c.supervise(SUPERVISOR, at, SAY["supervise"])
        at = yield (3, 6)
        c.remind(SUPERVISOR, at, SAY["remind"])
    if plan.extend:
        at = yield (2, 5)
        c.extend_deadline(SUPERVISOR, at, 30, SAY["extend"], desk.rules)
    satisfaction = plan.final
    for round_ in range(plan.reopenings + 1):
        final = round_ == plan.reopenings
        satisfaction = plan.final if final else Satisfaction.DISSATISFIED
        yield from _round(desk, c, category, lead, None if anonymous else satisfaction)
        if not final:
            at = yield (0, 2)
            c.reopen(SUPERVISOR, at, SAY["reopen"])
            at = yield (0, 1)
            c.dispatch(SUPERVISOR, at, lead, assist, SAY["redo"])
    resolved = anonymous or satisfaction is not Satisfaction.DISSATISFIED
    at = yield (0, 2)
    c.close(SUPERVISOR, at, resolved, "" if resolved else SAY["unresolved"])


def _round(
    desk: Desk, c: Complaint, category: ComplaintCategory, lead: str, satisfaction: Satisfaction | None
) -> Story:
    """Investigate, dispose and reply; then visit the resident, unless anonymous (``satisfaction`` None)."""
    worker = handler(lead)
    found = pick(desk.rng, {Finding.SUBSTANTIATED: 60, Finding.PARTLY: 25, Finding.UNSUBSTANTIATED: 15})
    opinion = {Finding.SUBSTANTIATED: ReplyOpinion.SUPPORT, Finding.PARTLY: ReplyOpinion.EXPLAIN}
    reply = opinion.get(found, ReplyOpinion.NOT_SUPPORTED)
    action, basis = REPLIES[category]
    at = yield (2, 8)
    c.investigate(worker, at, found, f"{lead}赴现场核查，反映情况{found.zh}")
    if found is not Finding.UNSUBSTANTIATED:
        at = yield (1, 5)
        c.dispose(worker, at, action)
    at = yield (1, 3)
    c.reply(worker, at, reply, f"经核查，所反映{category.zh}问题{found.zh}。", f"{reply.zh}：{action}。", basis)
    if satisfaction is not None:
        at = yield (2, 5)
        c.visit(CLERK, at, satisfaction, f"电话回访，投诉人表示{satisfaction.zh}")


# -- disputes --------------------------------------------------------------------------------------------


def dispute(desk: Desk, track: Track, at: datetime) -> Story:
    rng, office = desk.rng, desk.office
    plan = bulk_dispute(rng)
    category = plan.category or pick(rng, DISPUTE_WEIGHTS)
    a = office.party(PartyRole.APPLICANT)
    b = office.party(PartyRole.RESPONDENT, a.name)
    where = office.location(category)
    d = Dispute(
        number=desk.number(CaseKind.DISPUTE, at),
        filing_key=desk.key("dispute"),
        category=category,
        channel=pick(rng, DISPUTE_CHANNELS),
        location=where,
        description=DISPUTES[category][1].format(a=a.name, b=b.name),
        parties=[a, b],
        fingerprint=uuid4().hex,
        actor=CLERK,
        at=at,
    )
    track.aggregate = d
    if plan.refusal is not None:
        body, reason = REFUSALS[plan.refusal]
        at = yield (1, 3)
        d.refuse(SUPERVISOR, at, plan.refusal, body, reason)
        return
    at = yield (0, 2)
    d.accept(SUPERVISOR, at)
    first, second = rng.sample(MEDIATORS, 2)
    unit = rng.choice((f"{where.village}人民调解委员会", "街道人民调解委员会"))
    at = yield (0, 2)
    d.assign_mediator(SUPERVISOR, at, first, unit)
    if plan.recusal:
        at = yield (0, 1)
        d.recuse(SUPERVISOR, at, SAY["recuse"])
        at = yield (0, 1)
        d.assign_mediator(SUPERVISOR, at, second, unit)
    mediation = handler(unit)
    at = yield (1, 4)
    d.investigate(mediation, at, SAY["survey"])
    if plan.risk:
        at = yield (0, 1)
        d.flag_risk(mediation, at, SAY["risk"], SAY["risk_to"])
    if plan.extend:
        at = yield (0, 2)
        d.pause_clock(mediation, at, ClockPause.WAITING_ON_PARTY, SAY["waiting"], desk.rules)
        at = yield (3, 6)
        d.resume_clock(mediation, at)
        at = yield (0, 1)
        d.extend_deadline(SUPERVISOR, at, 15, SAY["consent"], desk.rules, parties_consent=True)
    yield from _mediation(desk, d, plan, mediation, [a.name, b.name, second if plan.recusal else first])


def _mediation(desk: Desk, d: Dispute, plan: DisputePlan, mediation: Actor, people: list[str]) -> Story:
    rng = desk.rng
    for n in range(plan.sessions):
        outcome = rng.choice((SessionOutcome.PROGRESS, SessionOutcome.ADJOURNED))
        if n == plan.sessions - 1:
            outcome = SessionOutcome.AGREEMENT_REACHED if plan.agreed else SessionOutcome.FAILED
        at = yield (2, 6)
        d.hold_session(mediation, at, local_date(at), people, SESSION_NOTES[outcome], outcome)
    if not plan.agreed:
        at = yield (0, 1)
        d.end_mediation(mediation, at, SAY["ended"], SAY["sue"])
        at = yield (2, 5)
        d.visit(CLERK, at, Satisfaction.BASICALLY, SAY["to_court"])
        at = yield (0, 2)
        d.close(SUPERVISOR, at, False, SAY["ended"])
        return
    at = yield (0, 0)
    terms = f"{people[1]}向{people[0]}支付补偿款{rng.choice((2000, 5000, 8000))}元，双方不再就此事发生争执"
    by: date = local_date(at) + timedelta(days=15)
    d.agree(mediation, at, people[:2], f"双方因{d.category.zh}事宜发生争议", SAY["duty"], terms, SAY["payment"], by)
    if plan.confirmation:
        at = yield (1, 6)
        d.apply_for_confirmation(mediation, at, SAY["court"], True, desk.rules)
        at = yield (5, 10)
        d.record_confirmation(mediation, at, True, f"（{local_date(at).year}）民特字第{rng.randint(10, 300)}号")
    at = yield (12, 18)
    d.check_performance(mediation, at, plan.performance, f"回访核查，协议{plan.performance.zh}")
    fulfilled = plan.performance is Performance.FULFILLED
    at = yield (1, 4)
    d.visit(CLERK, at, Satisfaction.SATISFIED if fulfilled else Satisfaction.DISSATISFIED)
    at = yield (0, 2)
    d.close(SUPERVISOR, at, fulfilled, "" if fulfilled else SAY["unfulfilled"])
