"""Enforcement cases (执法案件) under 《行政处罚法》(2021) and the three enforcement systems."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from eventsourcing.domain import event

from domain import penalties
from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.enforcement_status import EnforcementStatus, status_after_review
from domain.errors import InvalidValue
from domain.kinds import CaseKind, Channel, GridLevel, ViolationType
from domain.lifecycle import Acted, Transition
from domain.outcomes import DecisionType, EvidenceKind, ExecutionResult, PartyType, ReviewResult
from domain.penalties import Procedure
from domain.registers.categories import TimeLimit
from domain.rules import LARGE_FINES, LargeFines, RuleTable, Stage
from domain.time import local_date
from domain.values import MAX_NAME, EvidenceItem, Location, Party, optional_text, require_names, require_text

__all__ = ["EnforcementCase", "EnforcementStatus", "status_after_review"]


S = EnforcementStatus
_BEFORE_DECISION = frozenset({S.CONCLUDED, S.REVIEWED, S.NOTIFIED, S.HEARD, S.DISCUSSED})


class EnforcementCase(Case):
    """An enforcement case, from a patrol's clue to a served, executed and closed decision."""

    class ClueRecorded(Case.Created):
        number: str
        filing_key: str
        category: ViolationType
        channel: Channel
        location: Location
        description: str
        parties: list[Party]
        grid_level: GridLevel | None
        fingerprint: str
        actor: Actor
        at: datetime
        limits: tuple[TimeLimit, ...] = ()

    class Filed(Acted):
        reason: str
        unit: str

    class NotFiled(Acted):
        reason: str

    class InvestigationStarted(Acted):
        officers: list[str]

    class EvidenceAdded(Acted):
        item: EvidenceItem

    class InvestigationConcluded(Acted):
        proposed: DecisionType
        major: bool
        complex_case: bool
        summary: str

    class SubmittedForReview(Acted):
        resume: EnforcementStatus

    class LegalityReviewed(Acted):
        result: ReviewResult
        opinions: str

    class PriorNoticeGiven(Acted):
        intended: DecisionType
        fine: Decimal | None
        rights: str
        party_type: PartyType
        hearing_offered: bool

    class HearingRequested(Acted):
        pass

    class HearingHeld(Acted):
        chair: str
        participants: list[str]
        record: str

    class CollectivelyDiscussed(Acted):
        participants: list[str]
        conclusion: str

    class Decided(Acted):
        decision: DecisionType
        fine: Decimal | None
        reasons: str
        legal_basis: str

    class Served(Acted):
        method: str

    class Published(Acted):
        where: str

    class Executed(Acted):
        result: ExecutionResult
        note: str

    class Closed(Acted):
        reason: str

    KIND = RECORD = CaseKind.ENFORCEMENT
    CATEGORY = ViolationType
    EXTENDABLE_STAGE = Stage.DECISION
    TERMINAL = frozenset({S.NOT_FILED, S.CLOSED})
    LIFECYCLE: ClassVar[dict[str, Transition]] = {
        **Case.SHARED,
        "record_clue": Transition("登记线索", "be recorded as a clue", ClueRecorded, frozenset(), S.CLUE),
        "file": Transition("立案", "be filed", Filed, frozenset({S.CLUE}), S.FILED),
        "decline": Transition("不予立案", "be declined", NotFiled, frozenset({S.CLUE}), S.NOT_FILED),
        "investigate": Transition(
            "开始调查", "start its investigation", InvestigationStarted, frozenset({S.FILED}), S.INVESTIGATING
        ),
        "add_evidence": Transition("收集证据", "take evidence", EvidenceAdded, frozenset({S.INVESTIGATING})),
        "conclude": Transition(
            "调查终结", "conclude its investigation", InvestigationConcluded, frozenset({S.INVESTIGATING}), S.CONCLUDED
        ),
        "submit_review": Transition(
            "提交法制审核",
            "go to legality review",
            SubmittedForReview,
            frozenset({S.CONCLUDED, S.NOTIFIED, S.HEARD}),
            S.UNDER_REVIEW,
        ),
        "review": Transition(
            "法制审核", "be reviewed", LegalityReviewed, frozenset({S.UNDER_REVIEW}), status_after_review
        ),
        # A new notice, of a heavier or other penalty than the one given, is given until the decision.
        "notify": Transition("事先告知", "get prior notice", PriorNoticeGiven, _BEFORE_DECISION, S.NOTIFIED),
        "request_hearing": Transition(
            "申请听证", "have a hearing requested", HearingRequested, frozenset({S.NOTIFIED}), S.HEARING_REQUESTED
        ),
        "hold_hearing": Transition(
            "举行听证", "hold a hearing", HearingHeld, frozenset({S.HEARING_REQUESTED}), S.HEARD
        ),
        "discuss": Transition(
            "集体讨论",
            "be collectively discussed",
            CollectivelyDiscussed,
            frozenset({S.REVIEWED, S.NOTIFIED, S.HEARD}),
            S.DISCUSSED,
        ),
        "decide": Transition("作出决定", "be decided", Decided, _BEFORE_DECISION, S.DECIDED),
        "serve": Transition("送达", "be served", Served, frozenset({S.DECIDED}), S.SERVED),
        "publish": Transition("公示", "be published", Published, frozenset({S.SERVED}), S.PUBLISHED),
        "execute": Transition("执行", "be executed", Executed, frozenset({S.SERVED, S.PUBLISHED}), S.EXECUTED),
        "close": Transition("结案", "be closed", Closed, frozenset({S.SERVED, S.PUBLISHED, S.EXECUTED}), S.CLOSED),
        "extend": Case.SHARED["extend"].within(
            {S.FILED, S.INVESTIGATING, S.UNDER_REVIEW, S.HEARING_REQUESTED, *_BEFORE_DECISION}
        ),
    }

    @event(ClueRecorded)
    def __init__(
        self,
        number: str,
        filing_key: str,
        category: ViolationType,
        channel: Channel,
        location: Location,
        description: str,
        parties: list[Party],
        grid_level: GridLevel | None,
        fingerprint: str,
        actor: Actor,
        at: datetime,
        limits: tuple[TimeLimit, ...] = (),
    ) -> None:
        self._file(
            number, filing_key, category, channel, location, description, parties, fingerprint, actor, at, limits
        )
        self._moved("record_clue", at)
        self.grid_level = grid_level
        self.unit = ""
        self.officers: list[str] = []
        self.evidence: list[EvidenceItem] = []
        self.major = False
        self.complex = False
        self.review: ReviewResult | None = None
        self.notified_on: date | None = None
        self.intended: DecisionType | None = None
        self.intended_fine: Decimal | None = None
        self.hearing_offered = False
        self.hearing_requested = False
        self.hearing_held = False
        self.discussed = False
        self.decision: DecisionType | None = None
        self.fine: Decimal | None = None
        self.decided_on: date | None = None
        self.execution: ExecutionResult | None = None

    @property
    def handling_units(self) -> frozenset[str]:
        return frozenset({self.unit} - {""})

    def file(self, actor: Actor, at: datetime, reason: str, unit: str) -> None:
        """File the case (立案) and give it to an enforcement unit."""
        at = self._guard("file", at)
        self._filed(
            actor=actor, at=at, reason=require_text(reason, "reason"), unit=require_text(unit, "unit", MAX_NAME)
        )

    @event(Filed)
    def _filed(self, actor: Actor, at: datetime, reason: str, unit: str) -> None:
        self.unit = unit
        self._moved("file", at)

    def decline(self, actor: Actor, at: datetime, reason: str) -> None:
        """Decide not to file, with the reason."""
        at = self._guard("decline", at)
        self._declined(actor=actor, at=at, reason=require_text(reason, "reason"))

    @event(NotFiled)
    def _declined(self, actor: Actor, at: datetime, reason: str) -> None:
        self._moved("decline", at)

    def start_investigation(self, actor: Actor, at: datetime, officers: list[str]) -> None:
        """Assign the investigating officers: at least two (行政处罚法 Art. 42)."""
        at = self._guard("investigate", at)
        names = require_names(officers, "officers")
        penalties.require_investigators(names)
        self._investigation_started(actor=actor, at=at, officers=names)

    @event(InvestigationStarted)
    def _investigation_started(self, actor: Actor, at: datetime, officers: list[str]) -> None:
        self.officers = list(officers)
        self._moved("investigate", at)

    def add_evidence(
        self, actor: Actor, at: datetime, kind: EvidenceKind, description: str, sha256: str, collected_by: str
    ) -> None:
        """Record one evidence item by the SHA-256 of its content."""
        at = self._guard("add_evidence", at)
        item = EvidenceItem(EvidenceKind.parse(kind, "evidence.kind"), description, sha256, collected_by)
        penalties.require_admissible(item, self.officers, self.evidence)
        self._evidence_added(actor=actor, at=at, item=item)

    @event(EvidenceAdded)
    def _evidence_added(self, actor: Actor, at: datetime, item: EvidenceItem) -> None:
        self.evidence.append(item)
        self._moved("add_evidence", at)

    def conclude_investigation(
        self, actor: Actor, at: datetime, proposed: DecisionType, major: bool, complex_case: bool, summary: str
    ) -> None:
        """Conclude the investigation with a proposed outcome; say whether the case is major or complex."""
        at = self._guard("conclude", at)
        penalties.require_evidence(self.evidence)
        if not isinstance(major, bool) or not isinstance(complex_case, bool):
            raise InvalidValue(
                "major", "major and complex_case must be true or false", zh="major 和 complex_case 应为 true 或 false"
            )
        self._concluded(
            actor=actor,
            at=at,
            proposed=DecisionType.parse(proposed, "proposed"),
            major=major,
            complex_case=complex_case,
            summary=require_text(summary, "summary"),
        )

    @event(InvestigationConcluded)
    def _concluded(
        self, actor: Actor, at: datetime, proposed: DecisionType, major: bool, complex_case: bool, summary: str
    ) -> None:
        self.major = major
        self.complex = complex_case
        self.review = None
        self._moved("conclude", at)

    def submit_for_review(self, actor: Actor, at: datetime) -> None:
        at = self._guard("submit_review", at)
        self._review_submitted(actor=actor, at=at, resume=EnforcementStatus.parse(self.status, "status"))

    @event(SubmittedForReview)
    def _review_submitted(self, actor: Actor, at: datetime, resume: EnforcementStatus) -> None:
        self.resume_after_review = resume
        self._moved("submit_review", at)

    def review_legality(self, actor: Actor, at: datetime, result: ReviewResult, opinions: str) -> None:
        """Legality review (法制审核): approve, or return to investigation with opinions."""
        at = self._guard("review", at)
        result = ReviewResult.parse(result, "result")
        penalties.require_independent_reviewer(actor.user_id, self.officers)
        text = (
            require_text(opinions, "opinions")
            if result is ReviewResult.RETURNED
            else optional_text(opinions, "opinions")
        )
        self._reviewed(actor=actor, at=at, result=result, opinions=text)

    @event(LegalityReviewed)
    def _reviewed(self, actor: Actor, at: datetime, result: ReviewResult, opinions: str) -> None:
        self.review = result
        self.status = status_after_review(result, self.resume_after_review)
        self._moved("review", at)

    def give_prior_notice(
        self,
        actor: Actor,
        at: datetime,
        intended: DecisionType,
        fine: Decimal | None,
        rights: str,
        *,
        party_type: PartyType = PartyType.INDIVIDUAL,
        hearing_offered: bool = False,
        large_fines: LargeFines = LARGE_FINES,
    ) -> None:
        """Tell the party the intended penalty, its facts and grounds, and their rights (Art. 44).

        A large fine (``large_fines``, by ``party_type``), a confiscation or an order to demolish must be
        noticed with the right to a hearing (Art. 63); a new notice replaces the one given before.
        """
        at = self._guard("notify", at)
        penalty, amount, party, hearing = penalties.prior_notice(
            intended, fine, party_type, hearing_offered, large_fines
        )
        self._notified(
            actor=actor,
            at=at,
            intended=penalty,
            fine=amount,
            rights=require_text(rights, "rights"),
            party_type=party,
            hearing_offered=hearing,
        )

    @event(PriorNoticeGiven)
    def _notified(
        self,
        actor: Actor,
        at: datetime,
        intended: DecisionType,
        fine: Decimal | None,
        rights: str,
        party_type: PartyType = PartyType.INDIVIDUAL,
        hearing_offered: bool = False,
    ) -> None:
        self.intended = intended
        self.intended_fine = fine
        self.hearing_offered = hearing_offered
        self.notified_on = local_date(at)
        self._moved("notify", at)

    def request_hearing(self, actor: Actor, at: datetime, calendar: WorkingCalendar, rules: RuleTable) -> None:
        """The party asks for a hearing, within the working days after notice the law allows (Art. 64)."""
        at = self._guard("request_hearing", at)
        assert self.notified_on is not None
        limit = rules.rule(self.KIND, Stage.HEARING_REQUEST, self.category.code).days
        used = calendar.working_days_between(self.notified_on, local_date(at))
        self._require(
            used <= limit,
            "request_hearing.window",
            f"当事人应在告知后{limit}个工作日内要求听证（已过{used}个工作日）",
            f"a hearing must be requested within {limit} working days of notice ({used} have passed)",
        )
        self._hearing_requested(actor=actor, at=at)

    @event(HearingRequested)
    def _hearing_requested(self, actor: Actor, at: datetime) -> None:
        self.hearing_requested = True
        self._moved("request_hearing", at)

    def hold_hearing(self, actor: Actor, at: datetime, chair: str, participants: list[str], record: str) -> None:
        """Hold the hearing; its chair is not one of the investigators (Art. 64)."""
        at = self._guard("hold_hearing", at)
        chair = require_text(chair, "chair", MAX_NAME)
        penalties.require_independent_chair(chair, self.officers)
        self._hearing_held(
            actor=actor,
            at=at,
            chair=chair,
            participants=require_names(participants, "participants"),
            record=require_text(record, "record"),
        )

    @event(HearingHeld)
    def _hearing_held(self, actor: Actor, at: datetime, chair: str, participants: list[str], record: str) -> None:
        self.hearing_held = True
        self._moved("hold_hearing", at)

    def discuss(self, actor: Actor, at: datetime, participants: list[str], conclusion: str) -> None:
        """Collective discussion by the office's leaders (Art. 57), required for major or complex cases."""
        at = self._guard("discuss", at)
        self._discussed(
            actor=actor,
            at=at,
            participants=require_names(participants, "participants", minimum=3),
            conclusion=require_text(conclusion, "conclusion"),
        )

    @event(CollectivelyDiscussed)
    def _discussed(self, actor: Actor, at: datetime, participants: list[str], conclusion: str) -> None:
        self.discussed = True
        self._moved("discuss", at)

    def decide(
        self, actor: Actor, at: datetime, decision: DecisionType, fine: Decimal | None, reasons: str, legal_basis: str
    ) -> None:
        """Decide the case, refusing any decision the law's procedure does not yet allow."""
        at = self._guard("decide", at)
        decision = DecisionType.parse(decision, "decision")
        amount = penalties.fine_for(decision, fine)
        penalties.require_decision_allowed(
            decision,
            amount,
            Procedure(
                major=self.major,
                complex=self.complex,
                review=self.review,
                discussed=self.discussed,
                noticed=self.notified_on is not None,
                intended=self.intended,
                intended_fine=self.intended_fine,
            ),
        )
        self._decided(
            actor=actor,
            at=at,
            decision=decision,
            fine=amount,
            reasons=require_text(reasons, "reasons"),
            legal_basis=require_text(legal_basis, "legal_basis"),
        )

    @event(Decided)
    def _decided(
        self, actor: Actor, at: datetime, decision: DecisionType, fine: Decimal | None, reasons: str, legal_basis: str
    ) -> None:
        self.decision = decision
        self.fine = fine
        self.decided_on = local_date(at)
        self._moved("decide", at)

    def serve(self, actor: Actor, at: datetime, method: str) -> None:
        """Serve the decision on the party (送达)."""
        at = self._guard("serve", at)
        self._served(actor=actor, at=at, method=require_text(method, "method", MAX_NAME))

    @event(Served)
    def _served(self, actor: Actor, at: datetime, method: str) -> None:
        self._moved("serve", at)

    def publish(self, actor: Actor, at: datetime, where: str) -> None:
        """Publish the decision (执法公示)."""
        at = self._guard("publish", at)
        self._published(actor=actor, at=at, where=require_text(where, "where", MAX_NAME))

    @event(Published)
    def _published(self, actor: Actor, at: datetime, where: str) -> None:
        self._moved("publish", at)

    def execute(self, actor: Actor, at: datetime, result: ExecutionResult, note: str = "") -> None:
        """Record the decision carried out: paid, rectified, demolished or enforced."""
        at = self._guard("execute", at)
        assert self.decision is not None
        self._require(
            self.decision.needs_execution,
            "execute.nothing",
            f"「{self.decision.zh}」决定无需执行",
            f"a decision of {self.decision.en.lower()} has nothing to execute",
        )
        self._executed(
            actor=actor, at=at, result=ExecutionResult.parse(result, "result"), note=optional_text(note, "note")
        )

    @event(Executed)
    def _executed(self, actor: Actor, at: datetime, result: ExecutionResult, note: str) -> None:
        self.execution = result
        self._moved("execute", at)

    def close(self, actor: Actor, at: datetime, reason: str = "") -> None:
        at = self._guard("close", at)
        assert self.decision is not None
        self._require(
            not self.decision.needs_execution or self.execution is not None,
            "close.execution",
            "决定尚未执行完毕，不能结案",
            "the decision has not been executed, so the case cannot be closed",
        )
        self._closed(actor=actor, at=at, reason=optional_text(reason, "reason"))

    @event(Closed)
    def _closed(self, actor: Actor, at: datetime, reason: str) -> None:
        self._moved("close", at)
