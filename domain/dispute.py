"""Disputes (纠纷) mediated under 《人民调解法》."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from eventsourcing.domain import event

from domain.actor import Actor
from domain.case import Case
from domain.errors import InvalidValue
from domain.followup import FollowedUpCase
from domain.kinds import CaseKind, Channel, DisputeType
from domain.labels import Labelled
from domain.lifecycle import Acted, Transition
from domain.outcomes import Performance, RefusalGround, SessionOutcome
from domain.registers.categories import TimeLimit
from domain.rules import RuleTable, Stage
from domain.time import local_date
from domain.values import MAX_NAME, Location, Party, optional_text, require_names, require_text


class DisputeStatus(Labelled):
    APPLIED = ("applied", "已登记", "Applied")
    ACCEPTED = ("accepted", "已受理", "Accepted")
    REFUSED = ("refused", "不予受理", "Refused")
    MEDIATOR_ASSIGNED = ("mediator_assigned", "已指派调解员", "Mediator assigned")
    INVESTIGATED = ("investigated", "已调查", "Investigated")
    MEDIATING = ("mediating", "调解中", "In mediation")
    AGREED = ("agreed", "已达成协议", "Agreement reached")
    ENDED = ("ended", "调解终止", "Mediation ended")
    CONFIRMATION_APPLIED = ("confirmation_applied", "已申请司法确认", "Judicial confirmation applied for")
    PERFORMANCE_CHECKED = ("performance_checked", "已核查履行", "Performance checked")
    VISITED = ("visited", "已回访", "Follow-up visit made")
    CLOSED = ("closed", "已结案", "Closed")


S = DisputeStatus
_WITH_MEDIATOR = frozenset({S.MEDIATOR_ASSIGNED, S.INVESTIGATED, S.MEDIATING})


class Dispute(FollowedUpCase):
    """A dispute between parties, from application through mediation to closure."""

    class Applied(FollowedUpCase.Created):
        number: str
        filing_key: str
        category: DisputeType
        channel: Channel
        location: Location
        description: str
        parties: list[Party]
        fingerprint: str
        actor: Actor
        at: datetime
        limits: tuple[TimeLimit, ...] = ()

    class Accepted(Acted):
        pass

    class Refused(Acted):
        ground: RefusalGround
        competent_body: str
        reason: str

    class MediatorAssigned(Acted):
        mediator: str
        unit: str

    class MediatorRecused(Acted):
        mediator: str
        reason: str

    class Investigated(Acted):
        summary: str

    class SessionHeld(Acted):
        held_on: date
        participants: list[str]
        notes: str
        outcome: SessionOutcome

    class AgreementReached(Acted):
        parties: list[str]
        facts: str
        responsibilities: str
        terms: str
        performance: str
        perform_by: date

    class MediationEnded(Acted):
        reason: str
        advised_route: str

    class JudicialConfirmationApplied(Acted):
        court: str

    class JudicialConfirmationRecorded(Acted):
        confirmed: bool
        reference: str

    class PerformanceChecked(Acted):
        result: Performance
        note: str

    class RiskFlagged(Acted):
        reason: str
        reported_to: str

    KIND = RECORD = CaseKind.DISPUTE
    CATEGORY = DisputeType
    EXTENDABLE_STAGE = Stage.SETTLEMENT
    MIN_PARTIES = 2
    TERMINAL = frozenset({S.REFUSED, S.CLOSED})
    LIFECYCLE: ClassVar[dict[str, Transition]] = {
        **Case.SHARED,
        "apply": Transition("申请调解", "be applied for", Applied, frozenset(), S.APPLIED),
        "accept": Transition("受理", "be accepted", Accepted, frozenset({S.APPLIED}), S.ACCEPTED),
        "refuse": Transition("不予受理", "be refused", Refused, frozenset({S.APPLIED}), S.REFUSED),
        "assign_mediator": Transition(
            "指派调解员", "get a mediator", MediatorAssigned, frozenset({S.ACCEPTED}), S.MEDIATOR_ASSIGNED
        ),
        "recuse": Transition("调解员回避", "have its mediator recused", MediatorRecused, _WITH_MEDIATOR, S.ACCEPTED),
        "investigate": Transition(
            "调查", "record an investigation", Investigated, frozenset({S.MEDIATOR_ASSIGNED}), S.INVESTIGATED
        ),
        "hold_session": Transition(
            "调解", "hold a mediation session", SessionHeld, frozenset({S.INVESTIGATED, S.MEDIATING}), S.MEDIATING
        ),
        "agree": Transition("达成协议", "record an agreement", AgreementReached, frozenset({S.MEDIATING}), S.AGREED),
        "end": Transition("终止调解", "end mediation", MediationEnded, _WITH_MEDIATOR, S.ENDED),
        "apply_confirmation": Transition(
            "申请司法确认",
            "apply for judicial confirmation",
            JudicialConfirmationApplied,
            frozenset({S.AGREED}),
            S.CONFIRMATION_APPLIED,
        ),
        "record_confirmation": Transition(
            "登记司法确认结果",
            "record the court's confirmation",
            JudicialConfirmationRecorded,
            frozenset({S.CONFIRMATION_APPLIED}),
        ),
        "check_performance": Transition(
            "核查履行",
            "have performance checked",
            PerformanceChecked,
            frozenset({S.AGREED, S.CONFIRMATION_APPLIED}),
            S.PERFORMANCE_CHECKED,
        ),
        "visit": Transition(
            "回访",
            "get a follow-up visit",
            FollowedUpCase.Visited,
            frozenset({S.PERFORMANCE_CHECKED, S.ENDED}),
            S.VISITED,
        ),
        "close": Transition("结案", "be closed", FollowedUpCase.Closed, frozenset({S.VISITED, S.ENDED}), S.CLOSED),
        "flag_risk": Transition(
            "标记激化风险",
            "be flagged at risk of escalating",
            RiskFlagged,
            frozenset({S.APPLIED, S.ACCEPTED, *_WITH_MEDIATOR, S.AGREED, S.ENDED}),
        ),
        "extend": Case.SHARED["extend"].within({S.ACCEPTED, *_WITH_MEDIATOR}),
    }

    @event(Applied)
    def __init__(
        self,
        number: str,
        filing_key: str,
        category: DisputeType,
        channel: Channel,
        location: Location,
        description: str,
        parties: list[Party],
        fingerprint: str,
        actor: Actor,
        at: datetime,
        limits: tuple[TimeLimit, ...] = (),
    ) -> None:
        self._file(
            number, filing_key, category, channel, location, description, parties, fingerprint, actor, at, limits
        )
        self._moved("apply", at)
        self.mediator = ""
        self.mediation_unit = ""
        self.recused: list[str] = []
        self.sessions = 0
        self.agreed_on: date | None = None
        self.confirmed: bool | None = None
        self.performance: Performance | None = None
        self.at_risk = False
        self._start_follow_up()

    def accept(self, actor: Actor, at: datetime) -> None:
        at = self._guard("accept", at)
        self._accepted(actor=actor, at=at)

    @event(Accepted)
    def _accepted(self, actor: Actor, at: datetime) -> None:
        self._moved("accept", at)

    def refuse(self, actor: Actor, at: datetime, ground: RefusalGround, competent_body: str, reason: str) -> None:
        """Refuse mediation; unless a party refuses, name the court, arbitration body or agency."""
        at = self._guard("refuse", at)
        ground = RefusalGround.parse(ground, "ground")
        body = optional_text(competent_body, "competent_body", MAX_NAME)
        if ground is not RefusalGround.PARTY_REFUSES and not body:
            raise InvalidValue(
                "competent_body",
                "name the court, arbitration body or agency it belongs to",
                zh="请写明应由哪个法院、仲裁机构或部门处理",
            )
        self._refused(actor=actor, at=at, ground=ground, competent_body=body, reason=require_text(reason, "reason"))

    @event(Refused)
    def _refused(self, actor: Actor, at: datetime, ground: RefusalGround, competent_body: str, reason: str) -> None:
        self._moved("refuse", at)

    @property
    def handling_units(self) -> frozenset[str]:
        return frozenset({self.mediation_unit} - {""})

    def assign_mediator(self, actor: Actor, at: datetime, mediator: str, unit: str) -> None:
        """Assign a mediator of a unit (a mediation committee), honouring recusals (回避); never a party."""
        at = self._guard("assign_mediator", at)
        mediator = require_text(mediator, "mediator", MAX_NAME)
        self._require(
            mediator not in self.recused,
            "assign_mediator.recused",
            f"调解员「{mediator}」已回避，不得再指派",
            f"mediator {mediator} has been recused and cannot be assigned again",
        )
        self._require(
            mediator not in {p.name for p in self.parties},
            "assign_mediator.party",
            "当事人不得担任本纠纷的调解员",
            "a party to the dispute cannot mediate it",
        )
        self._mediator_assigned(actor=actor, at=at, mediator=mediator, unit=require_text(unit, "unit", MAX_NAME))

    @event(MediatorAssigned)
    def _mediator_assigned(self, actor: Actor, at: datetime, mediator: str, unit: str) -> None:
        self.mediator = mediator
        self.mediation_unit = unit
        self._moved("assign_mediator", at)

    def recuse(self, actor: Actor, at: datetime, reason: str) -> None:
        """The mediator withdraws (回避); the dispute waits for another."""
        at = self._guard("recuse", at)
        self._recused(actor=actor, at=at, mediator=self.mediator, reason=require_text(reason, "reason"))

    @event(MediatorRecused)
    def _recused(self, actor: Actor, at: datetime, mediator: str, reason: str) -> None:
        self.recused.append(mediator)
        self.mediator = ""
        self._moved("recuse", at)

    def investigate(self, actor: Actor, at: datetime, summary: str) -> None:
        at = self._guard("investigate", at)
        self._investigated(actor=actor, at=at, summary=require_text(summary, "summary"))

    @event(Investigated)
    def _investigated(self, actor: Actor, at: datetime, summary: str) -> None:
        self._moved("investigate", at)

    def hold_session(
        self, actor: Actor, at: datetime, held_on: date, participants: list[str], notes: str, outcome: SessionOutcome
    ) -> None:
        """Record one mediation session: its date, who took part, notes and outcome."""
        at = self._guard("hold_session", at)
        if not isinstance(held_on, date) or isinstance(held_on, datetime):
            raise InvalidValue("held_on", "must be a date", zh="应为日期")
        if held_on > local_date(at):
            raise InvalidValue("held_on", "a session cannot be recorded before it is held", zh="调解尚未举行，不能记录")
        self._session_held(
            actor=actor,
            at=at,
            held_on=held_on,
            participants=require_names(participants, "participants", minimum=2),
            notes=require_text(notes, "notes"),
            outcome=SessionOutcome.parse(outcome, "outcome"),
        )

    @event(SessionHeld)
    def _session_held(
        self, actor: Actor, at: datetime, held_on: date, participants: list[str], notes: str, outcome: SessionOutcome
    ) -> None:
        self.sessions += 1
        self._moved("hold_session", at)

    def agree(
        self,
        actor: Actor,
        at: datetime,
        parties: list[str],
        facts: str,
        responsibilities: str,
        terms: str,
        performance: str,
        perform_by: date,
    ) -> None:
        """Record the mediation agreement (调解协议) with what 《人民调解法》 Art. 29 requires."""
        at = self._guard("agree", at)
        if not isinstance(perform_by, date) or isinstance(perform_by, datetime):
            raise InvalidValue("perform_by", "must be a date", zh="应为日期")
        if perform_by < local_date(at):
            raise InvalidValue("perform_by", "must not be before the agreement", zh="不能早于协议达成之日")
        self._agreed(
            actor=actor,
            at=at,
            parties=require_names(parties, "parties", minimum=2),
            facts=require_text(facts, "facts"),
            responsibilities=require_text(responsibilities, "responsibilities"),
            terms=require_text(terms, "terms"),
            performance=require_text(performance, "performance"),
            perform_by=perform_by,
        )

    @event(AgreementReached)
    def _agreed(
        self,
        actor: Actor,
        at: datetime,
        parties: list[str],
        facts: str,
        responsibilities: str,
        terms: str,
        performance: str,
        perform_by: date,
    ) -> None:
        self.agreed_on = local_date(at)
        self._moved("agree", at)

    def end_mediation(self, actor: Actor, at: datetime, reason: str, advised_route: str) -> None:
        """End mediation without agreement (终止), telling the parties their route onward."""
        at = self._guard("end", at)
        self._ended(
            actor=actor,
            at=at,
            reason=require_text(reason, "reason"),
            advised_route=require_text(advised_route, "advised_route"),
        )

    @event(MediationEnded)
    def _ended(self, actor: Actor, at: datetime, reason: str, advised_route: str) -> None:
        self._moved("end", at)

    def apply_for_confirmation(self, actor: Actor, at: datetime, court: str, jointly: bool, rules: RuleTable) -> None:
        """The parties jointly apply to a court to confirm the agreement, within the statutory days."""
        at = self._guard("apply_confirmation", at)
        self._require(
            jointly is True,
            "apply_confirmation.jointly",
            "司法确认须由双方当事人共同申请",
            "judicial confirmation must be applied for jointly by the parties",
        )
        assert self.agreed_on is not None
        limit = rules.rule(self.KIND, Stage.JUDICIAL_CONFIRMATION, self.category.code).days
        self._require(
            local_date(at) <= self.agreed_on + timedelta(days=limit),
            "apply_confirmation.window",
            f"司法确认须在调解协议生效之日起{limit}日内申请",
            f"judicial confirmation must be applied for within {limit} days of the agreement",
        )
        self._confirmation_applied(actor=actor, at=at, court=require_text(court, "court", MAX_NAME))

    @event(JudicialConfirmationApplied)
    def _confirmation_applied(self, actor: Actor, at: datetime, court: str) -> None:
        self._moved("apply_confirmation", at)

    def record_confirmation(self, actor: Actor, at: datetime, confirmed: bool, reference: str) -> None:
        at = self._guard("record_confirmation", at)
        if not isinstance(confirmed, bool):
            raise InvalidValue("confirmed", "must be true or false", zh="应为 true 或 false")
        self._confirmation_recorded(
            actor=actor, at=at, confirmed=confirmed, reference=require_text(reference, "reference", MAX_NAME)
        )

    @event(JudicialConfirmationRecorded)
    def _confirmation_recorded(self, actor: Actor, at: datetime, confirmed: bool, reference: str) -> None:
        self.confirmed = confirmed
        self._moved("record_confirmation", at)

    def check_performance(self, actor: Actor, at: datetime, result: Performance, note: str = "") -> None:
        at = self._guard("check_performance", at)
        self._performance_checked(
            actor=actor, at=at, result=Performance.parse(result, "result"), note=optional_text(note, "note")
        )

    @event(PerformanceChecked)
    def _performance_checked(self, actor: Actor, at: datetime, result: Performance, note: str) -> None:
        self.performance = result
        self._moved("check_performance", at)

    def flag_risk(self, actor: Actor, at: datetime, reason: str, reported_to: str) -> None:
        """Flag a dispute at risk of escalating and record to whom it was reported."""
        at = self._guard("flag_risk", at)
        self._require(not self.at_risk, "flag_risk.already", "该纠纷已标记激化风险", "the dispute is already flagged")
        self._risk_flagged(
            actor=actor,
            at=at,
            reason=require_text(reason, "reason"),
            reported_to=require_text(reported_to, "reported_to", MAX_NAME),
        )

    @event(RiskFlagged)
    def _risk_flagged(self, actor: Actor, at: datetime, reason: str, reported_to: str) -> None:
        self.at_risk = True
        self._moved("flag_risk", at)
