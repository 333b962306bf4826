"""What becomes of the office's cases in a year: a plan per case, of the path it takes and where it stops.

The fixed plans walk every path of every lifecycle and stop at every stage; the bulk of a year is
drawn by :func:`bulk_complaint`, :func:`bulk_dispute` and :func:`bulk_enforcement`, in the mix of a
typical year (:data:`BULK` cases of each kind). A plan's ``start`` is how far through the year the
case comes in; ``stop``, the status it is left at (None: it runs its course).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from demo.office import COMPLAINT_WEIGHTS, DISPUTE_WEIGHTS, VIOLATION_WEIGHTS, pick
from demo.text import BUILDING, CITY, VIOLATIONS
from domain.complaint import ComplaintStatus as CS
from domain.dispute import DisputeStatus as DS
from domain.enforcement import EnforcementStatus as ES
from domain.kinds import CaseKind, Channel, ComplaintCategory, DisputeType, ViolationType
from domain.outcomes import DecisionType as DEC
from domain.outcomes import Finding, Performance, Satisfaction
from domain.outcomes import RefusalGround as RG
from domain.tolerance import RulingOutcome
from domain.tolerance import RulingStatus as RS

CC, DT, VT = ComplaintCategory, DisputeType, ViolationType
BULK = {"complaint": 236, "dispute": 71, "enforcement": 65}
"""How many cases of each kind code a usual year brings, besides the fixed ones."""


@dataclass(frozen=True)
class ComplaintPlan:
    start: float
    category: ComplaintCategory | None = None
    outcome: str = "handled"
    anonymous: bool = False
    returned: bool = False
    reopenings: int = 0
    final: Satisfaction = Satisfaction.SATISFIED
    finding: Finding | None = None
    supervise: bool = False
    extend: bool = False
    pause: bool = False
    correct: bool = False
    stop: CS | None = None

    @property
    def may_be_anonymous(self) -> bool:
        """Nothing on the plan's path needs the resident: no answer or refusal to them, no visit it turns on."""
        visit = self.reopenings or self.final is Satisfaction.DISSATISFIED or self.stop in (CS.VISITED, CS.REOPENED)
        return self.outcome in ("handled", "merged", "transferred") and not visit


SPECIAL_COMPLAINTS = (
    ComplaintPlan(0.05, CC.OTHER, outcome="not_accepted"),
    ComplaintPlan(0.08, CC.OTHER, outcome="answered"),
    ComplaintPlan(0.12, CC.ILLEGAL_CONSTRUCTION, outcome="transferred"),
    ComplaintPlan(0.15, CC.ROAD_OCCUPATION, reopenings=3, final=Satisfaction.BASICALLY, supervise=True),
    ComplaintPlan(0.20, CC.BREAKFAST_STALLS),
    ComplaintPlan(0.21, CC.BREAKFAST_STALLS, outcome="merged"),
    ComplaintPlan(0.25, CC.PROPERTY_MANAGEMENT, returned=True),
    ComplaintPlan(0.30, CC.CATERING_ORDER, reopenings=1),
    ComplaintPlan(0.35, CC.NOISE, final=Satisfaction.DISSATISFIED),
    ComplaintPlan(0.40, CC.ILLEGAL_CONSTRUCTION, finding=Finding.SUBSTANTIATED),
    ComplaintPlan(0.45, CC.SANITATION, extend=True, supervise=True),
    ComplaintPlan(0.50, CC.PARKING, correct=True),
    ComplaintPlan(0.55, CC.ADMINISTRATIVE_EFFICIENCY, pause=True, finding=Finding.PARTLY),
    ComplaintPlan(0.60, CC.SANITATION, anonymous=True),
    ComplaintPlan(0.985, stop=CS.REGISTERED),
    ComplaintPlan(0.96, stop=CS.ACCEPTED),
    ComplaintPlan(0.97, CC.OTHER, outcome="answered", stop=CS.ANSWERED),
    ComplaintPlan(0.95, stop=CS.DISPATCHED),
    ComplaintPlan(0.94, CC.PROPERTY_MANAGEMENT, returned=True, stop=CS.RETURNED),
    ComplaintPlan(0.93, stop=CS.INVESTIGATED),
    ComplaintPlan(0.91, finding=Finding.SUBSTANTIATED, stop=CS.DISPOSED),
    ComplaintPlan(0.90, stop=CS.REPLIED),
    ComplaintPlan(0.88, stop=CS.VISITED),
    ComplaintPlan(0.82, reopenings=1, stop=CS.REOPENED),
)


def bulk_complaint(rng: random.Random) -> ComplaintPlan:
    """A complaint of a usual year: most handled by a unit, a few refused, answered, transferred or merged."""
    outcome = pick(rng, {"handled": 84, "not_accepted": 6, "answered": 5, "transferred": 3, "merged": 2})
    category = {"answered": CC.OTHER, "transferred": CC.ILLEGAL_CONSTRUCTION}.get(outcome)
    return ComplaintPlan(
        rng.random(),
        category or pick(rng, COMPLAINT_WEIGHTS),
        outcome=outcome,
        returned=rng.random() < 0.05,
        reopenings=int(rng.random() < 0.06),
        final=pick(rng, {Satisfaction.SATISFIED: 70, Satisfaction.BASICALLY: 22, Satisfaction.DISSATISFIED: 8}),
        supervise=rng.random() < 0.08,
        extend=rng.random() < 0.04,
    )


@dataclass(frozen=True)
class DisputePlan:
    start: float
    category: DisputeType | None = None
    refusal: RG | None = None
    recusal: bool = False
    sessions: int = 1
    agreed: bool = True
    confirmation: bool = False
    performance: Performance = Performance.FULFILLED
    risk: bool = False
    extend: bool = False
    stop: DS | None = None


SPECIAL_DISPUTES = (
    DisputePlan(0.06, DT.NEIGHBOUR, refusal=RG.PARTY_REFUSES),
    DisputePlan(0.11, DT.LABOUR, refusal=RG.ARBITRATION),
    DisputePlan(0.16, DT.LAND_CONTRACT, refusal=RG.OTHER_AGENCY),
    DisputePlan(0.19, DT.NEIGHBOUR, refusal=RG.COURT),
    DisputePlan(0.24, DT.AQUACULTURE_POND, recusal=True, sessions=2, confirmation=True),
    DisputePlan(0.29, DT.NEW_VILLAGE_CONSTRUCTION, sessions=3, performance=Performance.NOT_FULFILLED),
    DisputePlan(0.33, DT.ENVIRONMENT, sessions=3, agreed=False),
    DisputePlan(0.38, DT.NEIGHBOUR, sessions=2, risk=True),
    DisputePlan(0.43, DT.FAMILY, sessions=2, extend=True, performance=Performance.PARTLY),
    DisputePlan(0.985, stop=DS.APPLIED),
    DisputePlan(0.97, stop=DS.ACCEPTED),
    DisputePlan(0.96, stop=DS.MEDIATOR_ASSIGNED),
    DisputePlan(0.95, stop=DS.INVESTIGATED),
    DisputePlan(0.92, sessions=2, stop=DS.MEDIATING),
    DisputePlan(0.90, stop=DS.AGREED),
    DisputePlan(0.90, agreed=False, stop=DS.ENDED),
    DisputePlan(0.86, confirmation=True, stop=DS.CONFIRMATION_APPLIED),
    DisputePlan(0.82, stop=DS.PERFORMANCE_CHECKED),
    DisputePlan(0.80, stop=DS.VISITED),
)


def bulk_dispute(rng: random.Random) -> DisputePlan:
    """A dispute of a usual year: a few refused; the rest mediated, most to an agreement."""
    category = pick(rng, DISPUTE_WEIGHTS)
    refusal = None
    if rng.random() < 0.08:
        refusal = RG.ARBITRATION if category is DT.LABOUR else rng.choice([RG.PARTY_REFUSES, RG.COURT, RG.OTHER_AGENCY])
    agreed = rng.random() < 0.78
    return DisputePlan(
        rng.random(),
        category,
        refusal,
        recusal=rng.random() < 0.03,
        sessions=rng.randint(1, 3),
        agreed=agreed,
        confirmation=agreed and rng.random() < 0.1,
        performance=pick(rng, {Performance.FULFILLED: 85, Performance.PARTLY: 8, Performance.NOT_FULFILLED: 7}),
        risk=rng.random() < 0.05,
        extend=rng.random() < 0.04,
    )


@dataclass(frozen=True)
class EnforcementPlan:
    start: float
    category: ViolationType | None = None
    decision: DEC | None = DEC.ORDER_RECTIFY
    """None: the clue is not filed."""
    fine: int | None = None
    major: bool = False
    complex: bool = False
    hearing: bool = False
    returned: bool = False
    extend: bool = False
    testing: bool = False
    channel: Channel = Channel.PATROL
    stop: ES | None = None

    @property
    def reviewed(self) -> bool:
        """Whether the case goes to legality review before its decision: every major case (it may not be
        decided without), and a complex one whose decision is no penalty."""
        return self.major or (self.complex and self.decision is not None and not self.decision.is_penalty)


SPECIAL_ENFORCEMENT = (
    EnforcementPlan(0.10, VT.STREET_VENDING, decision=None),
    EnforcementPlan(0.14, VT.ROAD_OCCUPATION, DEC.WARNING),
    EnforcementPlan(0.18, VT.CATERING_FUMES, DEC.FINE, 8000, complex=True),
    EnforcementPlan(0.22, VT.CATERING_FUMES, DEC.FINE, 20000, major=True, hearing=True, returned=True, extend=True),
    EnforcementPlan(0.27, VT.FOOD_SAFETY, DEC.CONFISCATION, testing=True, channel=Channel.INSPECTION),
    EnforcementPlan(0.31, VT.SANITATION, DEC.ORDER_RECTIFY),
    EnforcementPlan(0.36, VT.SANITATION, DEC.CRITICISM),
    EnforcementPlan(0.42, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_DEMOLISH, major=True, hearing=True),
    EnforcementPlan(0.43, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_RECTIFY, channel=Channel.COMPLAINT_REFERRAL),
    EnforcementPlan(0.47, VT.STREET_VENDING, DEC.NO_PENALTY),
    EnforcementPlan(0.52, VT.DISORDERLY_PARKING, DEC.NOT_ESTABLISHED),
    EnforcementPlan(0.57, VT.WORK_SAFETY, DEC.TRANSFER_JUDICIAL, major=True, channel=Channel.TRANSFER),
    EnforcementPlan(0.985, stop=ES.CLUE),
    EnforcementPlan(0.97, VT.ROAD_OCCUPATION, DEC.WARNING, stop=ES.FILED),
    EnforcementPlan(0.95, stop=ES.INVESTIGATING),
    EnforcementPlan(0.93, stop=ES.CONCLUDED),
    EnforcementPlan(0.90, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_DEMOLISH, major=True, stop=ES.UNDER_REVIEW),
    EnforcementPlan(0.86, VT.ILLEGAL_CONSTRUCTION, DEC.ORDER_DEMOLISH, major=True, stop=ES.REVIEWED),
    EnforcementPlan(0.90, VT.SANITATION, DEC.FINE, 500, stop=ES.NOTIFIED),
    EnforcementPlan(0.86, VT.CATERING_FUMES, DEC.FINE, 8000, hearing=True, stop=ES.HEARING_REQUESTED),
    EnforcementPlan(0.82, VT.CATERING_FUMES, DEC.FINE, 8000, hearing=True, stop=ES.HEARD),
    EnforcementPlan(0.84, VT.ROAD_OCCUPATION, DEC.WARNING, complex=True, stop=ES.DISCUSSED),
    EnforcementPlan(0.90, VT.ROAD_OCCUPATION, DEC.WARNING, stop=ES.DECIDED),
    EnforcementPlan(0.87, VT.DISORDERLY_PARKING, DEC.WARNING, stop=ES.SERVED),
    EnforcementPlan(0.82, VT.SANITATION, DEC.FINE, 1000, stop=ES.PUBLISHED),
    EnforcementPlan(0.80, VT.ROAD_OCCUPATION, DEC.FINE, 200, stop=ES.EXECUTED),
)


def bulk_enforcement(rng: random.Random) -> EnforcementPlan:
    """An enforcement case of a usual year: a tenth not filed; the rest decided as their category usually is."""
    category = pick(rng, VIOLATION_WEIGHTS)
    choices = {
        VT.ILLEGAL_CONSTRUCTION: {DEC.ORDER_DEMOLISH: 60, DEC.ORDER_RECTIFY: 40},
        VT.DISORDERLY_PARKING: {DEC.WARNING: 60, DEC.NO_PENALTY: 25, DEC.NOT_ESTABLISHED: 15},
        VT.CATERING_FUMES: {DEC.FINE: 50, DEC.ORDER_RECTIFY: 40, DEC.NOT_ESTABLISHED: 10},
        VT.SANITATION: {DEC.WARNING: 20, DEC.CRITICISM: 15, DEC.ORDER_RECTIFY: 30, DEC.FINE: 25, DEC.NO_PENALTY: 10},
        VT.FOOD_SAFETY: {DEC.CONFISCATION: 50, DEC.FINE: 40, DEC.TRANSFER_JUDICIAL: 10},
        VT.WORK_SAFETY: {DEC.ORDER_RECTIFY: 50, DEC.FINE: 40, DEC.TRANSFER_JUDICIAL: 10},
    }.get(category, {DEC.WARNING: 30, DEC.ORDER_RECTIFY: 30, DEC.FINE: 25, DEC.NO_PENALTY: 15})
    decision = None if rng.random() < 0.1 else pick(rng, choices)
    fine = rng.choice(VIOLATIONS[category][2]) if decision is DEC.FINE else None
    major = decision in (DEC.ORDER_DEMOLISH, DEC.TRANSFER_JUDICIAL) or (fine or 0) >= 10000
    channels = {Channel.PATROL: 60, Channel.COMPLAINT_REFERRAL: 15, Channel.INSPECTION: 15, Channel.TRANSFER: 10}
    return EnforcementPlan(
        rng.random(),
        category,
        decision,
        fine,
        major=major,
        complex=major or rng.random() < 0.1,
        hearing=major and decision is not DEC.TRANSFER_JUDICIAL and rng.random() < 0.5,
        channel=pick(rng, channels),
    )


@dataclass(frozen=True)
class RulingPlan:
    start: float
    cadre: str
    unit: str
    kind: CaseKind
    error: str
    outcome: RulingOutcome | None = RulingOutcome.EXEMPTED
    """None: the request is declined."""
    appeal: bool = False
    stop: RS | None = None


EXEMPT, MITIGATE, REFUSE = RulingOutcome.EXEMPTED, RulingOutcome.MITIGATED, RulingOutcome.NOT_TOLERATED
ENF, COMP, DISP = CaseKind.ENFORCEMENT, CaseKind.COMPLAINT, CaseKind.DISPUTE
SPECIAL_RULINGS = (
    RulingPlan(0.30, "叶志强", CITY, ENF, "早餐摊点整治中先行暂扣设施后补办手续，程序存在瑕疵"),
    RulingPlan(0.40, "章丽君", BUILDING, ENF, "违法建设处罚决定书送达超过法定期限两日", MITIGATE),
    RulingPlan(0.45, "王海滨", "社会事务办公室", COMP, "经多次提醒仍未回访即报请办结投诉", REFUSE, stop=RS.NOTIFIED),
    RulingPlan(0.25, "林晓燕", "综治中心", DISP, "养殖塘纠纷调解协议履行期限约定不明", MITIGATE, appeal=True),
    RulingPlan(0.55, "吴国平", "党政综合办公室", COMP, "接受当事人宴请后违规办理事项", None),
    RulingPlan(0.90, "何文杰", CITY, ENF, "占道经营整治中未出示执法证件", stop=RS.DELIBERATED),
    RulingPlan(0.93, "金秀芬", "综治中心", COMP, "投诉登记时遗漏联系电话，延误受理告知", stop=RS.VERIFIED),
    RulingPlan(0.96, "周建新", BUILDING, ENF, "违建测量数据录入错误", stop=RS.ACCEPTED),
    RulingPlan(0.985, "罗晓东", CITY, ENF, "暂扣物品清单记录不全", stop=RS.REQUESTED),
)
