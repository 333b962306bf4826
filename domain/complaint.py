"""Complaints (投诉/举报/诉求): 《信访工作条例》(2022) and 12345 practice."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.errors import InvalidValue
from domain.followup import FollowedUpCase
from domain.kinds import CaseKind, Channel, ComplaintCategory
from domain.labels import Labelled
from domain.lifecycle import Acted, Transition
from domain.outcomes import Finding, ReplyOpinion, Satisfaction
from domain.registers.categories import TimeLimit
from domain.rules import RuleTable, Stage
from domain.time import local_date
from domain.values import MAX_NAME, Location, Party, optional_text, require_names, require_text

PROBLEM_CASE_REOPENINGS = 3


class ComplaintStatus(Labelled):
    REGISTERED = ("registered", "已登记", "Registered")
    ACCEPTED = ("accepted", "已受理", "Accepted")
    NOT_ACCEPTED = ("not_accepted", "不予受理", "Not accepted")
    ANSWERED = ("answered", "当场答复", "Answered directly")
    DISPATCHED = ("dispatched", "已交办", "Dispatched")
    RETURNED = ("returned", "已退回", "Returned by the unit")
    INVESTIGATED = ("investigated", "已调查", "Investigated")
    DISPOSED = ("disposed", "已处置", "Disposed")
    REPLIED = ("replied", "已答复", "Replied")
    VISITED = ("visited", "已回访", "Follow-up visit made")
    CLOSED = ("closed", "已办结", "Closed")
    REOPENED = ("reopened", "重办", "Reopened")
    MERGED = ("merged", "已并案", "Merged into a duplicate")
    TRANSFERRED = ("transferred", "已转办", "Transferred out")


S = ComplaintStatus
_OPEN_WORK = frozenset({S.ACCEPTED, S.DISPATCHED, S.RETURNED, S.INVESTIGATED, S.DISPOSED, S.REOPENED})


class Complaint(FollowedUpCase):
    """A resident's complaint, from registration to closure, reopening and escalation."""

    class Registered(FollowedUpCase.Created):
        number: str
        filing_key: str
        category: ComplaintCategory
        channel: Channel
        location: Location
        description: str
        parties: list[Party]
        anonymous: bool
        fingerprint: str
        actor: Actor
        at: datetime
        limits: tuple[TimeLimit, ...] = ()

    class Accepted(Acted):
        pass

    class NotAccepted(Acted):
        reason: str
        route: str

    class AnsweredDirectly(Acted):
        opinion: ReplyOpinion
        answer: str

    class Dispatched(Acted):
        lead_unit: str
        assisting_units: list[str]
        designated: bool
        note: str

    class Returned(Acted):
        unit: str
        reason: str

    class Investigated(Acted):
        finding: Finding
        summary: str

    class Disposed(Acted):
        action_taken: str

    class Replied(Acted):
        opinion: ReplyOpinion
        facts: str
        reasons: str
        legal_basis: str

    class Reopened(Acted):
        reason: str
        reopening: int
        escalated: bool

    class Merged(Acted):
        duplicate_of: UUID
        reason: str

    class TransferredOut(Acted):
        agency: str
        reason: str

    KIND = RECORD = CaseKind.COMPLAINT
    CATEGORY = ComplaintCategory
    EXTENDABLE_STAGE = Stage.HANDLING
    TERMINAL = frozenset({S.NOT_ACCEPTED, S.CLOSED, S.MERGED, S.TRANSFERRED})
    LIFECYCLE: ClassVar[dict[str, Transition]] = {
        **Case.SHARED,
        "register": Transition("登记", "be registered", Registered, frozenset(), S.REGISTERED),
        "accept": Transition("受理", "be accepted", Accepted, frozenset({S.REGISTERED}), S.ACCEPTED),
        "not_accept": Transition(
            "不予受理", "be refused acceptance", NotAccepted, frozenset({S.REGISTERED}), S.NOT_ACCEPTED
        ),
        "answer": Transition(
            "当场答复", "be answered directly", AnsweredDirectly, frozenset({S.REGISTERED}), S.ANSWERED
        ),
        "dispatch": Transition(
            "交办", "be dispatched", Dispatched, frozenset({S.ACCEPTED, S.RETURNED, S.REOPENED}), S.DISPATCHED
        ),
        "return": Transition("退回", "be returned by the unit", Returned, frozenset({S.DISPATCHED}), S.RETURNED),
        "investigate": Transition(
            "调查", "record an investigation", Investigated, frozenset({S.DISPATCHED}), S.INVESTIGATED
        ),
        "dispose": Transition("处置", "record the action taken", Disposed, frozenset({S.INVESTIGATED}), S.DISPOSED),
        "reply": Transition("答复", "be replied to", Replied, frozenset({S.INVESTIGATED, S.DISPOSED}), S.REPLIED),
        "visit": Transition(
            "回访", "get a follow-up visit", FollowedUpCase.Visited, frozenset({S.REPLIED, S.ANSWERED}), S.VISITED
        ),
        "close": Transition(
            "办结", "be closed", FollowedUpCase.Closed, frozenset({S.VISITED, S.REPLIED, S.ANSWERED}), S.CLOSED
        ),
        "reopen": Transition("重办", "be reopened", Reopened, frozenset({S.VISITED, S.CLOSED}), S.REOPENED),
        "merge": Transition("并案", "be merged", Merged, frozenset({S.REGISTERED, *_OPEN_WORK}), S.MERGED),
        "transfer": Transition(
            "转办", "be transferred out", TransferredOut, frozenset({S.REGISTERED, S.ACCEPTED}), S.TRANSFERRED
        ),
        "extend": Case.SHARED["extend"].within(_OPEN_WORK),
    }

    @event(Registered)
    def __init__(
        self,
        number: str,
        filing_key: str,
        category: ComplaintCategory,
        channel: Channel,
        location: Location,
        description: str,
        parties: list[Party],
        anonymous: bool,
        fingerprint: str,
        actor: Actor,
        at: datetime,
        limits: tuple[TimeLimit, ...] = (),
    ) -> None:
        self._file(
            number, filing_key, category, channel, location, description, parties, fingerprint, actor, at, limits
        )
        self._moved("register", at)
        self.anonymous = anonymous
        self.lead_unit = ""
        self.assisting_units: list[str] = []
        self.dispatched_at: datetime | None = None
        self.designated = False
        self.returns = 0
        self.finding: Finding | None = None
        self.opinion: ReplyOpinion | None = None
        self.reopenings = 0
        self.problem_case = False
        self._start_follow_up()
        self.merged_into: UUID | None = None

    @property
    def handling_units(self) -> frozenset[str]:
        return frozenset({self.lead_unit, *self.assisting_units} - {""})

    def accept(self, actor: Actor, at: datetime) -> None:
        at = self._guard("accept", at)
        self._accepted(actor=actor, at=at)

    @event(Accepted)
    def _accepted(self, actor: Actor, at: datetime) -> None:
        self._moved("accept", at)

    def not_accept(self, actor: Actor, at: datetime, reason: str, route: str) -> None:
        """Refuse acceptance, telling the resident the right route (e.g. court, another agency)."""
        at = self._guard("not_accept", at)
        self._not_accepted(
            actor=actor, at=at, reason=require_text(reason, "reason"), route=require_text(route, "route")
        )

    @event(NotAccepted)
    def _not_accepted(self, actor: Actor, at: datetime, reason: str, route: str) -> None:
        self._moved("not_accept", at)

    def answer_directly(self, actor: Actor, at: datetime, opinion: ReplyOpinion, answer: str) -> None:
        """Answer on the spot, without dispatching (e.g. a consultation)."""
        at = self._guard("answer", at)
        opinion = ReplyOpinion.parse(opinion, "opinion")
        self._answered(actor=actor, at=at, opinion=opinion, answer=require_text(answer, "answer"))

    @event(AnsweredDirectly)
    def _answered(self, actor: Actor, at: datetime, opinion: ReplyOpinion, answer: str) -> None:
        self.opinion = opinion
        self._moved("answer", at)

    def dispatch(self, actor: Actor, at: datetime, lead_unit: str, assisting_units: list[str], note: str = "") -> None:
        """Dispatch to a lead unit (主办) and assisting units (协办). After a return the unit is designated."""
        at = self._guard("dispatch", at)
        lead = require_text(lead_unit, "lead_unit", MAX_NAME)
        assisting = require_names(list(assisting_units), "assisting_units", minimum=0)
        if lead in assisting:
            raise InvalidValue("assisting_units", "the lead unit cannot also assist", zh="主办单位不能同时作为协办单位")
        self._dispatched(
            actor=actor,
            at=at,
            lead_unit=lead,
            assisting_units=assisting,
            designated=self.status is S.RETURNED,
            note=optional_text(note, "note"),
        )

    @event(Dispatched)
    def _dispatched(
        self, actor: Actor, at: datetime, lead_unit: str, assisting_units: list[str], designated: bool, note: str
    ) -> None:
        self.lead_unit = lead_unit
        self.assisting_units = list(assisting_units)
        self.designated = designated
        self.dispatched_at = at
        self._moved("dispatch", at)

    def return_to_dispatcher(
        self, actor: Actor, at: datetime, reason: str, calendar: WorkingCalendar, rules: RuleTable
    ) -> None:
        """The lead unit returns a case outside its remit, within the return window."""
        at = self._guard("return", at)
        self._require(
            not self.designated,
            "return.designated",
            "指定承办单位不得再次退回",
            "a designated unit cannot return the complaint again",
        )
        assert self.dispatched_at is not None
        rule = rules.rule(self.KIND, Stage.RETURN_WINDOW, self.category.code)
        used = calendar.working_days_between(local_date(self.dispatched_at), local_date(at))
        self._require(
            used <= rule.days,
            "return.window",
            f"退回须在交办后{rule.days}个工作日内提出（已过{used}个工作日）",
            f"a unit may return a complaint only within {rule.days} working days of dispatch ({used} have passed)",
        )
        self._returned(actor=actor, at=at, unit=self.lead_unit, reason=require_text(reason, "reason"))

    @event(Returned)
    def _returned(self, actor: Actor, at: datetime, unit: str, reason: str) -> None:
        self.returns += 1
        self._moved("return", at)

    def investigate(self, actor: Actor, at: datetime, finding: Finding, summary: str) -> None:
        at = self._guard("investigate", at)
        finding = Finding.parse(finding, "finding")
        self._investigated(actor=actor, at=at, finding=finding, summary=require_text(summary, "summary"))

    @event(Investigated)
    def _investigated(self, actor: Actor, at: datetime, finding: Finding, summary: str) -> None:
        self.finding = finding
        self._moved("investigate", at)

    def dispose(self, actor: Actor, at: datetime, action_taken: str) -> None:
        at = self._guard("dispose", at)
        self._disposed(actor=actor, at=at, action_taken=require_text(action_taken, "action_taken"))

    @event(Disposed)
    def _disposed(self, actor: Actor, at: datetime, action_taken: str) -> None:
        self._moved("dispose", at)

    def reply(
        self, actor: Actor, at: datetime, opinion: ReplyOpinion, facts: str, reasons: str, legal_basis: str
    ) -> None:
        """Reply to the resident with an opinion, the facts, the reasons and the legal basis."""
        at = self._guard("reply", at)
        opinion = ReplyOpinion.parse(opinion, "opinion")
        self._replied(
            actor=actor,
            at=at,
            opinion=opinion,
            facts=require_text(facts, "facts"),
            reasons=require_text(reasons, "reasons"),
            legal_basis=require_text(legal_basis, "legal_basis"),
        )

    @event(Replied)
    def _replied(
        self, actor: Actor, at: datetime, opinion: ReplyOpinion, facts: str, reasons: str, legal_basis: str
    ) -> None:
        self.opinion = opinion
        self._moved("reply", at)

    def close(self, actor: Actor, at: datetime, resolved: bool, reason: str = "") -> None:
        """Close after the follow-up visit; an anonymous complaint, with nobody to visit, may close on its reply."""
        self._require(
            self.status is S.VISITED or self.anonymous or not self.is_open,
            "close.visit",
            "须先回访投诉人方可办结（匿名投诉除外）",
            "a complaint is closed after its follow-up visit (unless it is anonymous)",
        )
        super().close(actor, at, resolved, reason)

    def reopen(self, actor: Actor, at: datetime, reason: str) -> None:
        """Send a complaint back for handling again (重办) after a dissatisfied visit."""
        at = self._guard("reopen", at)
        self._require(
            self.satisfaction is Satisfaction.DISSATISFIED,
            "reopen.satisfied",
            "只有回访不满意的投诉可以发回重办",
            "only a complaint whose follow-up visit was dissatisfied can be reopened",
        )
        reopenings = self.reopenings + 1
        self._reopened(
            actor=actor,
            at=at,
            reason=require_text(reason, "reason"),
            reopening=reopenings,
            escalated=reopenings >= PROBLEM_CASE_REOPENINGS,
        )

    @event(Reopened)
    def _reopened(self, actor: Actor, at: datetime, reason: str, reopening: int, escalated: bool) -> None:
        self.reopenings = reopening
        self.problem_case = self.problem_case or escalated
        self.satisfaction = None
        self.resolved = None
        self._moved("reopen", at)

    def merge_into(self, actor: Actor, at: datetime, duplicate_of: UUID, reason: str) -> None:
        """Merge into the case this one duplicates; handling continues there."""
        at = self._guard("merge", at)
        self._require(
            duplicate_of != self.id, "merge.self", "投诉不能并入自身", "a complaint cannot be merged into itself"
        )
        self._merged(actor=actor, at=at, duplicate_of=duplicate_of, reason=require_text(reason, "reason"))

    @event(Merged)
    def _merged(self, actor: Actor, at: datetime, duplicate_of: UUID, reason: str) -> None:
        self.merged_into = duplicate_of
        self._moved("merge", at)

    def transfer_out(self, actor: Actor, at: datetime, agency: str, reason: str) -> None:
        """Transfer to the agency competent for it (转办)."""
        at = self._guard("transfer", at)
        self._transferred(
            actor=actor, at=at, agency=require_text(agency, "agency", MAX_NAME), reason=require_text(reason, "reason")
        )

    @event(TransferredOut)
    def _transferred(self, actor: Actor, at: datetime, agency: str, reason: str) -> None:
        self._moved("transfer", at)
