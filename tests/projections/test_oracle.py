"""The correctness oracle, on SQLite and PostgreSQL: random valid histories of a few complaints,
disputes, enforcement cases, rulings and clearings are recorded through the ledger's use cases and
projected; every queue and every statistic must equal a naive recomputation from the aggregates and
their events, worked out here without the projections' code."""

from __future__ import annotations

import hashlib
import random
import statistics as stats
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from bootstrap.read_side import open_read_store
from domain.actor import Actor, Role
from domain.case import Case
from domain.clearing import AccusationFinding, Clearing, ClearingMethod
from domain.clocks import ClockStatus, StageClock, derive_clocks, marks_from_events
from domain.errors import InvalidValue, RuleViolation
from domain.kinds import CHANNELS_BY_KIND, CaseKind
from domain.outcomes import (
    ClockPause,
    DecisionType,
    EvidenceKind,
    ExecutionResult,
    Finding,
    PartyRole,
    Performance,
    RefusalGround,
    ReplyOpinion,
    ReviewResult,
    Satisfaction,
    SessionOutcome,
)
from domain.rules import Stage
from domain.time import SHANGHAI, local_date
from domain.tolerance import RulingOutcome, RulingStatus, ToleranceCondition, ToleranceEffect, ToleranceRuling
from domain.values import Location, Party
from projections.case_index import CaseIndex
from projections.queues import QUEUES, QueueFilter, RulingIndex, WorkQueues
from projections.runner import ProjectionRunner
from projections.statistics import GROUPINGS, Period, Statistics, periods_of
from tests.conftest import initialised_store
from tests.support import CLERK, DISCIPLINE, REVIEWER, SUPERVISOR

UNITS = ("城管执法中队", "市场监管所")
MEDIATION_UNITS = ("人民调解委员会", "司法所")
VILLAGES = ("东湖村", "新河社区", "西岙村")
GAPS = (0.0, 0.0, 0.01, 0.2, 0.5, 1.0, 1.0, 2.0, 3.0, 5.0, 12.0)
LAST_MOMENT = datetime(2026, 10, 1, tzinfo=UTC)
PUBLICATION_DAYS = 20
CASE_KINDS = {"complaint": CaseKind.COMPLAINT, "dispute": CaseKind.DISPUTE, "enforcement": CaseKind.ENFORCEMENT}
MAIN = {CaseKind.COMPLAINT: Stage.HANDLING, CaseKind.DISPUTE: Stage.SETTLEMENT, CaseKind.ENFORCEMENT: Stage.DECISION}
PENDING_RULINGS = {RulingStatus.REQUESTED, RulingStatus.ACCEPTED, RulingStatus.VERIFIED, RulingStatus.DELIBERATED}


# -- recording a random history -------------------------------------------------------------------------


@dataclass
class History:
    """What the ledger holds: case, ruling and clearing ids, and a clock that only moves forward."""

    ledger: CaseLedger
    rng: random.Random
    moment: datetime
    cases: list[UUID] = field(default_factory=list)
    rulings: list[UUID] = field(default_factory=list)
    clearings: list[UUID] = field(default_factory=list)
    reviewed: set[UUID] = field(default_factory=set)
    serial: int = 0

    def at(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment

    def key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"


Command = Callable[[History, Any, datetime], object]
"""A command tried on a record at a moment; what it returns (the ledger's answer) is not used."""


class Offer(Protocol):
    """Registers the decorated command under ``name`` when the record is in one of ``statuses``."""

    def __call__(self, name: str, *statuses: str, weight: int = 1) -> Callable[[Command], Command]: ...


def handler(case: Case) -> Actor:
    units = sorted(case.handling_units)
    return Actor("oracle-handler", Role.HANDLER, units[0] if units else UNITS[0])


def _case_commands(h: History, case: Any) -> list[tuple[str, Command]]:
    """Commands worth trying on ``case`` in its status; the domain's guards refuse the rest."""
    led, rng, status, v = h.ledger, h.rng, case.status.code, case.version
    kind = case.KIND
    found: list[tuple[str, Command]] = []

    def add(name: str, *statuses: str, weight: int = 1) -> Callable[[Command], Command]:
        """Offer ``command`` in ``statuses`` (any), ``weight`` times so that histories go deep rather than wide."""

        def register(command: Command) -> Command:
            if not statuses or status in statuses:
                found.extend([(name, command)] * weight)
            return command

        return register

    if case.is_open and not case.supervised:

        @add("supervise")
        def _supervise(h: History, c: Any, t: datetime) -> None:
            led.supervise(c.id, v, SUPERVISOR, "督办", at=t)

    if case.is_open and case.paused is None:

        @add("pause")
        def _pause(h: History, c: Any, t: datetime) -> None:
            pause = ClockPause.WAITING_ON_PARTY if kind is not CaseKind.ENFORCEMENT else ClockPause.EXPERT_TESTING
            led.pause_clock(c.id, v, SUPERVISOR, pause, "暂停", at=t)

    if case.is_open and case.paused is not None:

        @add("resume", weight=3)
        def _resume(h: History, c: Any, t: datetime) -> None:
            led.resume_clock(c.id, v, SUPERVISOR, at=t)

    if case.is_open:

        @add("extend")
        def _extend(h: History, c: Any, t: datetime) -> None:
            led.extend_deadline(c.id, v, SUPERVISOR, rng.randint(1, 30), "延期", parties_consent=True, at=t)

        @add("correct")
        def _correct(h: History, c: Any, t: datetime) -> None:
            choice = rng.randrange(3)
            if choice == 0:
                led.correct_case(c.id, v, CLERK, 1, "更正分类", category=rng.choice(list(c.CATEGORY)).code, at=t)
            elif choice == 1:
                village = rng.choice(VILLAGES)
                place = Location(village=village, address=f"{village}1号", grid_cell="G-1")
                led.correct_case(c.id, v, CLERK, 1, "更正地点", location=place, at=t)
            else:
                channel = rng.choice(sorted(CHANNELS_BY_KIND[kind], key=lambda ch: ch.code)).code
                led.correct_case(c.id, v, CLERK, 1, "更正来源", channel=channel, at=t)

    if kind is CaseKind.COMPLAINT:
        _complaint_commands(h, case, add)
    elif kind is CaseKind.DISPUTE:
        _dispute_commands(h, case, add)
    else:
        _enforcement_commands(h, case, add)
    return found


def _complaint_commands(h: History, case: Any, add: Offer) -> None:
    led, rng, v = h.ledger, h.rng, case.version

    @add("accept", "registered", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.accept_complaint(c.id, v, SUPERVISOR, at=t)

    @add("refuse", "registered")
    def _(h: History, c: Any, t: datetime) -> None:
        led.refuse_complaint(c.id, v, SUPERVISOR, "不属受理范围", "向法院起诉", at=t)

    @add("answer", "registered")
    def _(h: History, c: Any, t: datetime) -> None:
        led.answer_complaint(c.id, v, CLERK, rng.choice(list(ReplyOpinion)), "当场答复", at=t)

    @add("transfer", "registered", "accepted")
    def _(h: History, c: Any, t: datetime) -> None:
        led.transfer_complaint(c.id, v, SUPERVISOR, "县市场监管局", "属其职责", at=t)

    @add("merge", "registered", "accepted", "returned", "reopened", "dispatched", "investigated", "disposed")
    def _(h: History, c: Any, t: datetime) -> None:
        others = [o for o in h.cases if o != c.id and _load(led, o).KIND is CaseKind.COMPLAINT]
        targets = [o for o in others if _load(led, o).is_open]
        if targets:
            led.merge_complaint(c.id, v, SUPERVISOR, rng.choice(targets), "重复投诉", at=t)

    @add("dispatch", "accepted", "returned", "reopened", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        lead = rng.choice(UNITS)
        assisting = [u for u in UNITS if u != lead and rng.random() < 0.4]
        led.dispatch_complaint(c.id, v, SUPERVISOR, lead, assisting, at=t)

    @add("return", "dispatched")
    def _(h: History, c: Any, t: datetime) -> None:
        led.return_complaint(c.id, v, Actor("r", Role.HANDLER, c.lead_unit), "不属本单位", at=t)

    @add("investigate", "dispatched", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.investigate_complaint(c.id, v, handler(c), rng.choice(list(Finding)), "调查", at=t)

    @add("dispose", "investigated", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.dispose_complaint(c.id, v, handler(c), "处置", at=t)

    @add("reply", "investigated", "disposed", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.reply_to_complaint(c.id, v, handler(c), rng.choice(list(ReplyOpinion)), "事实", "理由", "依据", at=t)

    @add("visit", "replied", "answered", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.visit_complainant(c.id, v, CLERK, rng.choice(list(Satisfaction)), at=t)

    @add("close", "visited", "replied", "answered", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.close_complaint(c.id, v, SUPERVISOR, rng.random() < 0.7, "说明理由", at=t)

    @add("reopen", "visited", "closed")
    def _(h: History, c: Any, t: datetime) -> None:
        led.reopen_complaint(c.id, v, SUPERVISOR, "不满意", at=t)


def _dispute_commands(h: History, case: Any, add: Offer) -> None:
    led, rng, v = h.ledger, h.rng, case.version
    parties = [p.name for p in case.parties]

    @add("accept", "applied", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.accept_dispute(c.id, v, SUPERVISOR, at=t)

    @add("refuse", "applied")
    def _(h: History, c: Any, t: datetime) -> None:
        led.refuse_dispute(c.id, v, SUPERVISOR, RefusalGround.COURT, "县人民法院", "已起诉", at=t)

    @add("assign", "accepted", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        mediator = rng.choice(["叶调解", "陈调解", "周调解"])
        led.assign_mediator(c.id, v, SUPERVISOR, mediator, rng.choice(MEDIATION_UNITS), at=t)

    @add("recuse", "mediator_assigned", "investigated", "mediating")
    def _(h: History, c: Any, t: datetime) -> None:
        led.recuse_mediator(c.id, v, SUPERVISOR, "回避", at=t)

    @add("investigate", "mediator_assigned", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.investigate_dispute(c.id, v, handler(c), "走访", at=t)

    @add("session", "investigated", "mediating", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        outcome = rng.choice(list(SessionOutcome))
        led.hold_mediation_session(c.id, v, handler(c), local_date(t), parties, "笔录", outcome, at=t)

    @add("agree", "mediating", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        by = local_date(t) + timedelta(days=30)
        led.record_agreement(c.id, v, handler(c), parties, "事实", "责任", "条款", "履行", by, at=t)

    @add("end", "mediator_assigned", "investigated", "mediating")
    def _(h: History, c: Any, t: datetime) -> None:
        led.end_mediation(c.id, v, handler(c), "调解不成", "向法院起诉", at=t)

    @add("apply_confirmation", "agreed", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.apply_for_confirmation(c.id, v, handler(c), "县人民法院", True, at=t)

    @add("record_confirmation", "confirmation_applied", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.record_confirmation(c.id, v, handler(c), rng.random() < 0.7, "（2025）民特1号", at=t)

    @add("check", "agreed", "confirmation_applied", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.check_performance(c.id, v, handler(c), rng.choice(list(Performance)), at=t)

    @add("visit", "performance_checked", "ended", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.visit_dispute_parties(c.id, v, CLERK, rng.choice(list(Satisfaction)), at=t)

    @add("close", "visited", "ended", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.close_dispute(c.id, v, SUPERVISOR, rng.random() < 0.6, "说明理由", at=t)

    @add("flag", "applied", "accepted", "mediator_assigned", "investigated", "mediating", "agreed", "ended")
    def _(h: History, c: Any, t: datetime) -> None:
        led.flag_dispute_risk(c.id, v, SUPERVISOR, "激化风险", "综治中心", at=t)


def _enforcement_commands(h: History, case: Any, add: Offer) -> None:
    led, rng, v = h.ledger, h.rng, case.version
    officers = ["张执法", "刘执法"]
    before_decision = ("concluded", "reviewed", "notified", "heard", "discussed")

    @add("file", "clue", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.file_enforcement_case(c.id, v, SUPERVISOR, "立案", rng.choice(UNITS), at=t)

    @add("decline", "clue")
    def _(h: History, c: Any, t: datetime) -> None:
        led.decline_enforcement_case(c.id, v, SUPERVISOR, "不予立案", at=t)

    @add("investigate", "filed", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.start_investigation(c.id, v, SUPERVISOR, officers, at=t)

    @add("evidence", "investigating", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        digest = hashlib.sha256(h.key("evidence").encode()).hexdigest()
        led.add_evidence(c.id, v, handler(c), EvidenceKind.PHOTO, "照片", digest, officers[0], at=t)

    @add("conclude", "investigating" if case.evidence else "no evidence yet", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        proposed = rng.choice(list(DecisionType))
        led.conclude_investigation(c.id, v, handler(c), proposed, rng.random() < 0.4, rng.random() < 0.2, "终结", at=t)

    @add("submit", "concluded", "notified", "heard", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.submit_for_review(c.id, v, handler(c), at=t)

    @add("review", "under_review", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        result = ReviewResult.APPROVED if rng.random() < 0.75 else ReviewResult.RETURNED
        led.review_legality(c.id, v, REVIEWER, result, "审核意见", at=t)

    @add("notify", "concluded", "reviewed", "notified", "heard", "discussed", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        intended = rng.choice([DecisionType.FINE, DecisionType.FINE, DecisionType.WARNING, DecisionType.ORDER_DEMOLISH])
        fine = Decimal(rng.randint(100, 50000)) if intended is DecisionType.FINE else None
        offered = rng.random() < 0.8
        led.give_prior_notice(c.id, v, handler(c), intended, fine, "权利", hearing_offered=offered, at=t)

    @add("request_hearing", "notified" if case.paused is None else "paused by hand", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.request_hearing(c.id, v, handler(c), at=t)

    @add("hold_hearing", "hearing_requested", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.hold_hearing(c.id, v, REVIEWER, "王主持", ["张执法"], "笔录", at=t)

    @add("discuss", "reviewed", "notified", "heard", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.hold_collective_discussion(c.id, v, SUPERVISOR, ["甲", "乙", "丙"], "讨论", at=t)

    @add("decide", *before_decision, weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        unpenalised = [d for d in DecisionType if not d.is_penalty]
        decision = rng.choice(unpenalised if c.intended is None else [c.intended] * 4 + unpenalised)
        fine = Decimal(rng.randint(1, 500000)) / 100 if decision is DecisionType.FINE else None
        led.decide_case(c.id, v, SUPERVISOR, decision, fine, "理由", "依据", at=t)

    @add("serve", "decided", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.serve_decision(c.id, v, handler(c), "直接送达", at=t)

    @add("publish", "served", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.publish_decision(c.id, v, handler(c), "门户网站", at=t)

    @add("execute", "served", "published", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.execute_decision(c.id, v, handler(c), rng.choice(list(ExecutionResult)), at=t)

    @add("close", "served", "published", "executed", weight=4)
    def _(h: History, c: Any, t: datetime) -> None:
        led.close_enforcement_case(c.id, v, SUPERVISOR, at=t)


def _ruling_commands(h: History, ruling: Any) -> list[Command]:
    led, rng, v, status = h.ledger, h.rng, ruling.version, ruling.status
    by_status: dict[RulingStatus, Command] = {
        RulingStatus.REQUESTED: lambda h, r, t: (
            led.accept_ruling(r.id, v, DISCIPLINE, at=t)
            if rng.random() < 0.8
            else led.decline_ruling(r.id, v, DISCIPLINE, "不予受理", at=t)
        ),
        RulingStatus.ACCEPTED: lambda h, r, t: led.verify_ruling(
            r.id, v, DISCIPLINE, [c for c in ToleranceCondition if rng.random() < 0.8], rng.random() < 0.2, "核实", at=t
        ),
        RulingStatus.VERIFIED: lambda h, r, t: led.deliberate_ruling(
            r.id, v, DISCIPLINE, ["甲", "乙", "丙"], "研究", at=t
        ),
        RulingStatus.DELIBERATED: lambda h, r, t: _rule(led, rng, r, v, t),
        RulingStatus.RULED: lambda h, r, t: led.notify_ruling(r.id, v, DISCIPLINE, "本人", at=t),
        RulingStatus.NOTIFIED: lambda h, r, t: (
            led.file_ruling_upward(r.id, v, DISCIPLINE, "县纪委", at=t)
            if rng.random() < 0.6 or r.supersedes is not None
            else led.appeal_ruling(r.id, v, DISCIPLINE, "不服", at=t)
        ),
        RulingStatus.APPEALED: _review,
    }
    if ruling.supersedes is None:
        by_status[RulingStatus.FILED_UPWARD] = lambda h, r, t: led.appeal_ruling(r.id, v, DISCIPLINE, "不服", at=t)
    if status is RulingStatus.APPEALED and ruling.id in h.reviewed:
        return []
    command = by_status.get(status)
    return [] if command is None else [command]


def _review(h: History, ruling: Any, at: datetime) -> None:
    h.rulings.append(h.ledger.review_appeal(ruling.id, h.key("review"), DISCIPLINE, at=at).id)
    h.reviewed.add(ruling.id)


def _rule(led: CaseLedger, rng: random.Random, ruling: Any, version: int, at: datetime) -> None:
    outcome = rng.choice(list(RulingOutcome))
    effects: list[ToleranceEffect | str] = [] if outcome is RulingOutcome.NOT_TOLERATED else [ToleranceEffect.AWARDS]
    led.issue_ruling(ruling.id, version, DISCIPLINE, outcome, effects, "依据", at=at)


def _clearing_commands(h: History, clearing: Any) -> list[Command]:
    led, v = h.ledger, clearing.version
    steps: dict[str, Command] = {
        "proposed": lambda h, c, t: led.approve_clearing(c.id, v, DISCIPLINE, at=t),
        "approved": lambda h, c, t: led.clear_cadre(c.id, v, DISCIPLINE, ClearingMethod.LETTER, "本单位", at=t),
        "cleared": lambda h, c, t: led.record_clearing(c.id, v, DISCIPLINE, "档案1号", at=t),
    }
    command = steps.get(clearing.status.code)
    return [] if command is None else [command]


def _load(ledger: CaseLedger, aggregate_id: UUID) -> Any:
    return ledger.repository.get(aggregate_id)


def file_everything(h: History, filings: list[tuple[str, float]]) -> None:
    """File the planned cases, rulings and clearings, each after its own gap."""
    led, rng = h.ledger, h.rng
    for n, (kind, gap) in enumerate(filings):
        h.moment = min(h.moment + timedelta(days=gap), LAST_MOMENT)
        village = rng.choice(VILLAGES)
        place = Location(village=village, address=f"{village}{n}号", grid_cell=f"G-{n % 2}")
        if kind == "complaint":
            anonymous = rng.random() < 0.25
            filed = led.file_complaint(
                h.key("c"),
                CLERK,
                category=rng.choice(["noise", "parking", "sanitation"]),
                channel=rng.choice(["hotline", "mailbox", "online"]),
                location=place,
                description=f"投诉{n}：王秀兰反映噪声",
                parties=[] if anonymous else [Party(PartyRole.COMPLAINANT, "王秀兰", "13800000000")],
                anonymous=anonymous,
                at=h.at(),
            )
        elif kind == "dispute":
            filed = led.file_dispute(
                h.key("d"),
                CLERK,
                category=rng.choice(["neighbour", "labour"]),
                channel=rng.choice(["application", "screening"]),
                location=place,
                description=f"纠纷{n}",
                parties=[Party(PartyRole.APPLICANT, "李建国"), Party(PartyRole.RESPONDENT, "赵国强")],
                at=h.at(),
            )
        elif kind == "enforcement":
            filed = led.record_clue(
                h.key("e"),
                CLERK,
                category=rng.choice(["street_vending", "illegal_construction"]),
                channel=rng.choice(["patrol", "inspection"]),
                location=place,
                description=f"线索{n}",
                parties=[Party(PartyRole.PARTY, "某商户")],
                at=h.at(),
            )
        elif kind == "ruling":
            filed = led.request_ruling(
                h.key("r"),
                DISCIPLINE,
                cadre_id=h.key("cadre"),
                cadre_name="孙某某",
                unit=rng.choice(UNITS),
                case_ids=[],
                error="差错",
                consequences="后果",
                circumstances="情节",
                motive="动机",
                proposed_by_unit=rng.random() < 0.5,
                at=h.at(),
            )
        else:
            filed = led.propose_clearing(
                h.key("k"),
                DISCIPLINE,
                cadre_id=h.key("cadre"),
                cadre_name="钱某某",
                unit=rng.choice(UNITS),
                accusation="举报",
                investigation="调查",
                finding=AccusationFinding.FALSE,
                at=h.at(),
            )
        {"ruling": h.rulings, "clearing": h.clearings}.get(kind, h.cases).append(filed.id)


def play(h: History, steps: list[tuple[int, int, float]]) -> None:
    """Try one allowed command per step on the chosen record, the clock moving on by each step's gap.

    A record with nothing left to do is never chosen again, so that the steps go to live records.
    """
    finished: set[UUID] = set()
    for target, choice, gap in steps:
        if h.moment + timedelta(days=gap) > LAST_MOMENT:
            break
        records = [r for r in (*h.cases, *h.rulings, *h.clearings) if r not in finished]
        if not records:
            break
        h.moment += timedelta(days=gap)
        chosen = _load(h.ledger, records[target % len(records)])
        if isinstance(chosen, Case):
            commands = [command for _, command in _case_commands(h, chosen)]
        elif isinstance(chosen, ToleranceRuling):
            commands = _ruling_commands(h, chosen)
        else:
            commands = _clearing_commands(h, chosen)
        if not commands:
            finished.add(chosen.id)
            continue
        with suppress(RuleViolation, InvalidValue):
            commands[choice % len(commands)](h, chosen, h.at())


# -- the naive recomputation --------------------------------------------------------------------------


@dataclass
class Known:
    """A case as its aggregate and its events tell it, with its clocks as of its last event."""

    case: Any
    events: list[Any]
    clocks: list[StageClock]

    @property
    def id(self) -> str:
        return str(self.case.id)

    @property
    def kind(self) -> CaseKind:
        kind: CaseKind = self.case.KIND
        return kind

    @property
    def status(self) -> str:
        return str(self.case.status.code)

    def named(self, name: str) -> list[Any]:
        return [e for e in self.events if type(e).__name__ == name]

    @property
    def unit(self) -> str:
        attribute = {"complaint": "lead_unit", "dispute": "mediation_unit", "enforcement": "unit"}[self.kind.code]
        return str(getattr(self.case, attribute))

    @property
    def received(self) -> date:
        return local_date(self.case.filed_at)

    def duty(self) -> StageClock | None:
        running = [c for c in self.clocks if c.running and c.stage is not Stage.RETURN_WINDOW]
        return min(running, key=lambda c: (c.deadline, c.stage.code)) if running else None


def know(ledger: CaseLedger, case_id: UUID) -> Known:
    case: Any = ledger.repository.get(case_id)
    events = list(ledger.events_of(case_id))
    marks = marks_from_events(case.KIND, events)
    clocks = derive_clocks(case.KIND, case.category.code, marks, ledger.rules, ledger.calendar, case.last_at)
    return Known(case, events, clocks)


def late(clock: StageClock | None, today: date) -> bool:
    """Running, not paused, and its deadline before ``today``."""
    return clock is not None and clock.status is not ClockStatus.PAUSED and clock.deadline < today


def queue_members(name: str, k: Known, today: date, ledger: CaseLedger) -> bool:
    kind, status, case = k.kind.code, k.status, k.case
    duty = k.duty()
    if name == "intake":
        return (kind, status) in {("complaint", "registered"), ("dispute", "applied"), ("enforcement", "clue")}
    if name == "dispatch":
        return (kind == "complaint" and status in {"accepted", "returned", "reopened"}) or (
            kind == "dispute" and status == "accepted"
        )
    if name == "mediation":
        return kind == "dispute" and status in {"mediator_assigned", "investigated", "mediating"}
    if name == "legality_review":
        return kind == "enforcement" and status == "under_review"
    if name == "hearings":
        return kind == "enforcement" and status == "hearing_requested"
    if name == "follow_up":
        return (kind == "complaint" and status in {"replied", "answered"} and not case.anonymous) or (
            kind == "dispute" and status in {"performance_checked", "ended"}
        )
    if name == "supervised":
        return bool(case.is_open and case.supervised)
    if name == "my_unit":
        return bool(case.is_open)
    if name == "overdue":
        return bool(case.is_open) and late(duty, today)
    if name == "due_soon":
        return (
            bool(case.is_open)
            and duty is not None
            and duty.status is not ClockStatus.PAUSED
            and duty.deadline >= today
            and ledger.calendar.working_days_between(today, duty.deadline) <= 2
        )
    raise AssertionError(name)


def expected_queue(name: str, known: list[Known], today: date, ledger: CaseLedger, unit: str | None) -> list[str]:
    chosen = [
        k for k in known if queue_members(name, k, today, ledger) and (unit is None or unit in k.case.handling_units)
    ]

    def order(k: Known) -> tuple[Any, ...]:
        duty = k.duty()
        return (duty is None, "" if duty is None else duty.deadline.isoformat(), k.case.number, k.id)

    return [k.id for k in sorted(chosen, key=order)]


def expected_pending_rulings(ledger: CaseLedger, rulings: list[UUID], unit: str | None) -> list[str]:
    loaded = [(r, ledger.load(ToleranceRuling, r, "ruling"), ledger.events_of(r)[0].at) for r in rulings]
    reviewed = {str(r.supersedes) for _, r, _ in loaded if r.supersedes is not None}
    pending = [
        (at, str(rid))
        for rid, r, at in loaded
        if (r.status in PENDING_RULINGS or (r.status is RulingStatus.APPEALED and str(rid) not in reviewed))
        and (unit is None or r.unit == unit)
    ]
    return [rid for _, rid in sorted(pending)]


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": round(numerator / denominator, 4) if denominator else None,
    }


def case_indicators(known: list[Known], today: date, ledger: CaseLedger) -> dict[str, Any]:
    """Every case indicator of ``known``, counted one by one."""

    def count(test: Callable[[Known], bool]) -> int:
        return sum(1 for k in known if test(k))

    def closed(k: Known) -> bool:
        return k.status == "closed"

    def accepted(k: Known) -> bool:
        return bool(k.named("Accepted") or k.named("AnsweredDirectly") or k.named("Filed"))

    def main_clocks(k: Known) -> list[StageClock]:
        return [c for c in k.clocks if c.stage is MAIN[k.kind]]

    def missed(k: Known) -> bool:
        return any(c.status is ClockStatus.MISSED for c in main_clocks(k))

    def acceptance(k: Known) -> StageClock | None:
        found = [c for c in k.clocks if c.stage is Stage.ACCEPTANCE]
        return found[-1] if found else None

    def visits(k: Known) -> list[Any]:
        return k.named("Visited")

    def resolved(k: Known) -> bool | None:
        return getattr(k.case, "resolved", None)

    def followed_up(k: Known) -> bool:
        return closed(k) and k.kind is not CaseKind.ENFORCEMENT and not getattr(k.case, "anonymous", False)

    def decision(k: Known) -> DecisionType | None:
        return getattr(k.case, "decision", None)

    def decided(d: DecisionType) -> Callable[[Known], bool]:
        return lambda k: decision(k) is d

    def publication_deadline(k: Known) -> date:
        return ledger.calendar.add_working_days(k.case.decided_on, PUBLICATION_DAYS)

    def published_on(k: Known) -> date | None:
        published = k.named("Published")
        return local_date(published[-1].at) if published else None

    durations = [(local_date(k.named("Closed")[-1].at) - k.received).days for k in known if closed(k)]
    fines = sum((k.case.fine for k in known if decision(k) is DecisionType.FINE), Decimal(0))
    found: dict[str, Any] = {
        "received": len(known),
        "accepted": count(accepted),
        "not_accepted": count(lambda k: k.status in {"not_accepted", "refused", "not_filed"}),
        "closed": count(closed),
        "open": count(lambda k: k.case.is_open),
        "overdue": count(lambda k: k.case.is_open and late(k.duty(), today)),
        "on_time_acceptance_rate": rate(
            count(lambda k: (a := acceptance(k)) is not None and a.status is ClockStatus.MET),
            count(lambda k: (a := acceptance(k)) is not None and (not a.running or a.deadline < today)),
        ),
        "closure_rate": rate(count(closed), count(lambda k: accepted(k) and k.status not in {"merged", "transferred"})),
        "on_time_closure_rate": rate(
            count(lambda k: closed(k) and not missed(k)),
            count(
                lambda k: (
                    closed(k)
                    or (k.case.is_open and (missed(k) or any(late(c, today) for c in main_clocks(k) if c.running)))
                )
            ),
        ),
        "resolution_rate": rate(
            count(lambda k: closed(k) and resolved(k) is True), count(lambda k: closed(k) and resolved(k) is not None)
        ),
        "follow_up_rate": rate(count(lambda k: followed_up(k) and bool(visits(k))), count(followed_up)),
        "satisfaction_rate": rate(
            count(lambda k: bool(visits(k)) and visits(k)[-1].satisfaction is not Satisfaction.DISSATISFIED),
            count(lambda k: bool(visits(k))),
        ),
        "days_to_close": {
            "count": len(durations),
            "mean": round(sum(durations) / len(durations), 2) if durations else None,
            "median": round(float(stats.median(durations)), 2) if durations else None,
        },
        "answered_directly": count(lambda k: bool(k.named("AnsweredDirectly"))),
        "transferred_out": count(lambda k: k.status == "transferred"),
        "repeat_complaints": count(lambda k: k.status == "merged"),
        "reopen_rate": rate(
            count(lambda k: k.kind is CaseKind.COMPLAINT and bool(visits(k)) and k.case.reopenings > 0),
            count(lambda k: k.kind is CaseKind.COMPLAINT and bool(visits(k))),
        ),
        "reopenings": sum(getattr(k.case, "reopenings", 0) for k in known),
        "problem_cases": count(lambda k: getattr(k.case, "problem_case", False)),
        "mediation_success_rate": rate(
            count(lambda k: bool(k.named("AgreementReached"))),
            count(lambda k: bool(k.named("AgreementReached") or k.named("MediationEnded"))),
        ),
        "agreements": count(lambda k: bool(k.named("AgreementReached"))),
        "mediation_ended": count(lambda k: bool(k.named("MediationEnded"))),
        "fulfilment_rate": rate(
            count(lambda k: getattr(k.case, "performance", None) is Performance.FULFILLED),
            count(lambda k: getattr(k.case, "performance", None) is not None),
        ),
        "confirmations_applied": count(lambda k: bool(k.named("JudicialConfirmationApplied"))),
        "judicial_confirmations": count(lambda k: getattr(k.case, "confirmed", None) is True),
        "at_risk": count(lambda k: getattr(k.case, "at_risk", False)),
        "enforcement_filed": count(lambda k: bool(k.named("Filed"))),
        "enforcement_not_filed": count(lambda k: k.status == "not_filed"),
        "decisions": count(lambda k: decision(k) is not None),
        **{f"decisions_{d.code}": count(decided(d)) for d in DecisionType},
        "fines_total": f"{fines:.2f}",
        "hearings_requested": count(lambda k: getattr(k.case, "hearing_requested", False)),
        "hearings_held": count(lambda k: getattr(k.case, "hearing_held", False)),
        "legality_review_coverage_rate": rate(
            count(lambda k: decision(k) is not None and k.case.major and k.case.review is ReviewResult.APPROVED),
            count(lambda k: decision(k) is not None and k.case.major),
        ),
        "publication_on_time_rate": rate(
            count(
                lambda k: (
                    decision(k) is not None and (p := published_on(k)) is not None and p <= publication_deadline(k)
                )
            ),
            count(
                lambda k: decision(k) is not None and (published_on(k) is not None or publication_deadline(k) < today)
            ),
        ),
    }
    return found


def record_indicators(rulings: list[Any], clearings: list[Any]) -> dict[str, int]:
    def status(r: Any, *wanted: Any) -> bool:
        return r.status in wanted

    return {
        "ruling_requests": len(rulings),
        "ruling_appeal_reviews": sum(1 for r in rulings if r.supersedes is not None),
        "rulings_pending": sum(1 for r in rulings if r.status in PENDING_RULINGS),
        "rulings_declined": sum(1 for r in rulings if status(r, RulingStatus.DECLINED)),
        "rulings_exempted": sum(1 for r in rulings if r.outcome is RulingOutcome.EXEMPTED),
        "rulings_mitigated": sum(1 for r in rulings if r.outcome is RulingOutcome.MITIGATED),
        "rulings_not_tolerated": sum(1 for r in rulings if r.outcome is RulingOutcome.NOT_TOLERATED),
        "rulings_appealed": sum(1 for r in rulings if status(r, RulingStatus.APPEALED)),
        "clearings_proposed": len(clearings),
        "clearings_cleared": sum(1 for c in clearings if c.status.code in {"cleared", "recorded"}),
    }


def group_key(k: Known, group_by: str) -> str:
    case = k.case
    keys: dict[str, str] = {
        "kind": k.kind.code,
        "category": f"{k.kind.code}/{case.category.code}",
        "channel": case.channel.code,
        "village": case.location.village,
        "unit": k.unit,
    }
    return keys[group_by]


def expected_statistics(
    ledger: CaseLedger, known: list[Known], history: History, period: Period, group_by: str | None, today: date
) -> dict[str, dict[str, Any]]:
    """Per group key ("" for the total), every indicator of the cases and records of ``period``."""
    inside = [k for k in known if period.start <= k.received <= period.end]
    rulings = [
        r
        for r in (ledger.load(ToleranceRuling, i, "ruling") for i in history.rulings)
        if period.start <= local_date(ledger.events_of(r.id)[0].at) <= period.end
    ]
    clearings = [
        c
        for c in (ledger.load(Clearing, i, "clearing") for i in history.clearings)
        if period.start <= local_date(ledger.events_of(c.id)[0].at) <= period.end
    ]
    if group_by is None:
        return {"": case_indicators(inside, today, ledger) | record_indicators(rulings, clearings)}
    keys = {group_key(k, group_by) for k in inside}
    if group_by == "unit":
        keys |= {r.unit for r in rulings} | {c.unit for c in clearings}
    result = {}
    for key in keys:
        cases = case_indicators([k for k in inside if group_key(k, group_by) == key], today, ledger)
        if group_by == "unit":
            cases |= record_indicators([r for r in rulings if r.unit == key], [c for c in clearings if c.unit == key])
        result[key] = cases
    return result


# -- the test ------------------------------------------------------------------------------------------


@contextmanager
def fresh_ledger(request: pytest.FixtureRequest, store: str) -> Iterator[CaseLedger]:
    with tempfile.TemporaryDirectory() as directory, initialised_store(request, store, Path(directory)) as url:
        ledger = build_ledger(Settings(database_url=url))
        try:
            yield ledger
        finally:
            ledger.close()


KINDS_TO_FILE = st.sampled_from(
    ["complaint", "complaint", "dispute", "dispute", "enforcement", "enforcement", "ruling", "clearing"]
)
HISTORIES = st.fixed_dictionaries(
    {
        "start": st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2025, 11, 30), timezones=st.just(UTC)),
        "filings": st.lists(
            st.tuples(KINDS_TO_FILE, st.sampled_from((0.0, 0.2, 3.0, 20.0, 45.0))), min_size=2, max_size=7
        ),
        "steps": st.lists(
            st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from(GAPS)), min_size=80, max_size=200
        ),
        "seed": st.integers(0, 2**16),
        "ask_after": st.sampled_from((0.0, 1.0, 3.0, 10.0, 40.0, 100.0)),
    }
)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(plan=HISTORIES)
def test_every_queue_and_statistic_equals_a_recomputation_from_the_events(
    request: pytest.FixtureRequest, store: str, plan: dict[str, Any]
) -> None:
    with fresh_ledger(request, store) as ledger:
        history = History(ledger, random.Random(plan["seed"]), plan["start"])
        file_everything(history, plan["filings"])
        read_store = open_read_store(ledger.settings)
        try:
            steps = plan["steps"]
            for part in (
                steps[: len(steps) // 3],
                steps[len(steps) // 3 : 2 * len(steps) // 3],
                steps[2 * len(steps) // 3 :],
            ):
                play(history, part)
                Checker(ledger, read_store, history).check(history.moment + timedelta(days=plan["ask_after"]))
            # A rebuild replays the log aggregate by aggregate (the case index, the statistics): same answers.
            Checker(ledger, read_store, history, rebuild=True).check(history.moment + timedelta(days=plan["ask_after"]))
        finally:
            read_store.close()


class Checker:
    """Brings the projections up to date (in small batches, or by a rebuild), then compares them with the
    recomputation."""

    def __init__(self, ledger: CaseLedger, read_store: Any, history: History, *, rebuild: bool = False) -> None:
        self.ledger, self.history = ledger, history
        case_index = CaseIndex(read_store, ledger.rules, ledger.calendar)
        rulings = RulingIndex(read_store)
        self.statistics = Statistics(
            read_store, ledger.rules, ledger.calendar, publication_working_days=PUBLICATION_DAYS
        )
        for projection in (case_index, rulings, self.statistics):
            runner = ProjectionRunner(ledger, read_store, projection, batch_size=7, rebuild_batch_size=11)
            if rebuild:
                runner.rebuild()
            else:
                runner.run_once()
        self.queues = WorkQueues(case_index, rulings)
        self.known = [know(ledger, case_id) for case_id in history.cases]

    def check(self, as_of: datetime) -> None:
        self.check_queues(as_of, QUEUES)
        self.check_statistics(as_of)
        for day in self.deadlines()[:4]:
            on_the_day = datetime.combine(day, time(9), SHANGHAI)
            self.check_queues(on_the_day, ("overdue", "due_soon"))
            self.check_statistics(on_the_day, groupings=(None,), monthly=False)

    def deadlines(self) -> list[date]:
        """Days on which a deadline falls: where "overdue" and "due soon" change."""
        days = set()
        for k in self.known:
            days |= {c.deadline for c in k.clocks if c.running}
            decided_on = getattr(k.case, "decided_on", None)
            if decided_on is not None:
                days.add(self.ledger.calendar.add_working_days(decided_on, PUBLICATION_DAYS))
        return sorted(days)

    def check_queues(self, as_of: datetime, names: Iterable[str]) -> None:
        today = local_date(as_of)
        for name in names:
            queue = QUEUES[name]
            for unit in (None, *UNITS, *MEDIATION_UNITS):
                if queue.needs_unit and unit is None:
                    continue
                if queue.rulings:
                    want = expected_pending_rulings(self.ledger, self.history.rulings, unit)
                else:
                    want = expected_queue(name, self.known, today, self.ledger, unit)
                page = self.queues.page(name, QueueFilter(unit=unit), per_page=200, as_of=as_of)
                assert [item["id"] for item in page.items] == want, (name, unit, as_of, self.explain(page.items, want))
                assert page.total == len(want)
                if len(want) > 1:
                    second = self.queues.page(name, QueueFilter(unit=unit), page=2, per_page=1, as_of=as_of)
                    assert [item["id"] for item in second.items] == want[1:2]

    def explain(self, items: list[dict[str, Any]], want: list[str]) -> list[Any]:
        """For each case in one list and not the other: what the index and the recomputation say of it."""
        listed = {item["id"]: item for item in items}
        by_id = {k.id: k for k in self.known}
        odd = sorted(set(listed) ^ set(want))
        return [
            (
                case_id,
                {k: listed[case_id][k] for k in ("deadline", "deadline_stage", "clock_status")}
                if case_id in listed
                else None,
                by_id[case_id].duty() if case_id in by_id else None,
                [type(e).__name__ for e in by_id[case_id].events] if case_id in by_id else None,
            )
            for case_id in odd
        ]

    def check_statistics(
        self, as_of: datetime, groupings: Iterable[str | None] = (None, *GROUPINGS), monthly: bool = True
    ) -> None:
        today = local_date(as_of)
        years = sorted({k.received.year for k in self.known} | {2025})
        for year in years:
            period = Period("year", year)
            for group_by in groupings:
                got = self.statistics.indicators([period], group_by, as_of=as_of)["periods"][0]
                actual = {"": got["total"]} if group_by is None else {g["key"]: g["indicators"] for g in got["groups"]}
                want = expected_statistics(self.ledger, self.known, self.history, period, group_by, today)
                assert actual == want, (year, group_by, as_of, differences(actual, want))
        if monthly:
            for month in self.statistics.indicators(periods_of("month", 2025), as_of=as_of)["periods"]:
                period = Period("month", 2025, int(month["period"]["code"][-2:]))
                want = expected_statistics(self.ledger, self.known, self.history, period, None, today)[""]
                assert month["total"] == want, (period, as_of, differences({"": month["total"]}, {"": want}))


def differences(actual: dict[str, dict[str, Any]], want: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per group, the indicators that differ: (projected, recomputed)."""
    found: dict[str, Any] = {}
    for key in sorted(set(actual) | set(want)):
        got, expected = actual.get(key, {}), want.get(key, {})
        wrong: dict[str, object] = {
            code: (got.get(code), expected.get(code)) for code in expected if got.get(code) != expected.get(code)
        }
        if wrong or set(got) != set(expected):
            found[key] = wrong or {"codes": sorted(set(got) ^ set(expected))}
    return found
