"""Enforcement cases (执法案件) under 《行政处罚法》(2021) and the three enforcement systems."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from eventsourcing.domain import event

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.case import Case, Step
from domain.errors import InvalidValue
from domain.kinds import CaseKind, Channel, GridLevel, ViolationType
from domain.labels import Labelled
from domain.outcomes import DecisionType, EvidenceKind, ExecutionResult, PartyType, ReviewResult
from domain.rules import LARGE_FINES, LargeFines, RuleTable, Stage
from domain.time import local_date
from domain.values import (
    MAX_NAME,
    EvidenceItem,
    Location,
    Party,
    optional_text,
    require_amount,
    require_names,
    require_text,
)


class EnforcementStatus(Labelled):
    CLUE = ("clue", "线索", "Clue")
    FILED = ("filed", "已立案", "Filed")
    NOT_FILED = ("not_filed", "不予立案", "Not filed")
    INVESTIGATING = ("investigating", "调查取证", "Under investigation")
    CONCLUDED = ("concluded", "调查终结", "Investigation concluded")
    UNDER_REVIEW = ("under_review", "法制审核中", "Under legality review")
    REVIEWED = ("reviewed", "法制审核通过", "Legality review approved")
    NOTIFIED = ("notified", "已事先告知", "Prior notice given")
    HEARING_REQUESTED = ("hearing_requested", "已申请听证", "Hearing requested")
    HEARD = ("heard", "已听证", "Hearing held")
    DISCUSSED = ("discussed", "已集体讨论", "Collectively discussed")
    DECIDED = ("decided", "已作出决定", "Decided")
    SERVED = ("served", "已送达", "Served")
    PUBLISHED = ("published", "已公示", "Published")
    EXECUTED = ("executed", "已执行", "Executed")
    CLOSED = ("closed", "已结案", "Closed")


S = EnforcementStatus
_BEFORE_DECISION = frozenset({S.CONCLUDED, S.REVIEWED, S.NOTIFIED, S.HEARD, S.DISCUSSED})


class EnforcementCase(Case):
    """An enforcement case, from a patrol's clue to a served, executed and closed decision."""

    KIND = CaseKind.ENFORCEMENT
    CATEGORY = ViolationType
    EXTENDABLE_STAGE = Stage.DECISION
    TERMINAL = frozenset({S.NOT_FILED, S.CLOSED})
    LIFECYCLE: ClassVar[dict[str, Step]] = {
        "file": Step("立案", "be filed", frozenset({S.CLUE})),
        "decline": Step("不予立案", "be declined", frozenset({S.CLUE})),
        "investigate": Step("开始调查", "start its investigation", frozenset({S.FILED})),
        "add_evidence": Step("收集证据", "take evidence", frozenset({S.INVESTIGATING})),
        "conclude": Step("调查终结", "conclude its investigation", frozenset({S.INVESTIGATING})),
        "submit_review": Step("提交法制审核", "go to legality review", frozenset({S.CONCLUDED, S.NOTIFIED, S.HEARD})),
        "review": Step("法制审核", "be reviewed", frozenset({S.UNDER_REVIEW})),
        # A new notice, of a heavier or other penalty than the one given, is given until the decision.
        "notify": Step(
            "事先告知", "get prior notice", frozenset({S.CONCLUDED, S.REVIEWED, S.NOTIFIED, S.HEARD, S.DISCUSSED})
        ),
        "request_hearing": Step("申请听证", "have a hearing requested", frozenset({S.NOTIFIED})),
        "hold_hearing": Step("举行听证", "hold a hearing", frozenset({S.HEARING_REQUESTED})),
        "discuss": Step("集体讨论", "be collectively discussed", frozenset({S.REVIEWED, S.NOTIFIED, S.HEARD})),
        "decide": Step("作出决定", "be decided", _BEFORE_DECISION),
        "serve": Step("送达", "be served", frozenset({S.DECIDED})),
        "publish": Step("公示", "be published", frozenset({S.SERVED})),
        "execute": Step("执行", "be executed", frozenset({S.SERVED, S.PUBLISHED})),
        "close": Step("结案", "be closed", frozenset({S.SERVED, S.PUBLISHED, S.EXECUTED})),
        "extend": Step(
            "延期",
            "have its time limit extended",
            frozenset({S.FILED, S.INVESTIGATING, S.UNDER_REVIEW, S.HEARING_REQUESTED, *_BEFORE_DECISION}),
        ),
    }

    @event("ClueRecorded")
    def __init__(
        self,
        *,
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
    ) -> None:
        self._file(number, filing_key, category, channel, location, description, parties, fingerprint, actor, at)
        self.status = S.CLUE
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

    @event("Filed")
    def _filed(self, actor: Actor, at: datetime, reason: str, unit: str) -> None:
        self.unit = unit
        self._moved(S.FILED, at)

    def decline(self, actor: Actor, at: datetime, reason: str) -> None:
        """Decide not to file, with the reason."""
        at = self._guard("decline", at)
        self._declined(actor=actor, at=at, reason=require_text(reason, "reason"))

    @event("NotFiled")
    def _declined(self, actor: Actor, at: datetime, reason: str) -> None:
        self._moved(S.NOT_FILED, at)

    def start_investigation(self, actor: Actor, at: datetime, officers: list[str]) -> None:
        """Assign the investigating officers: at least two (行政处罚法 Art. 42)."""
        at = self._guard("investigate", at)
        names = require_names(officers, "officers")
        self._require(
            len(names) >= 2,
            "investigate.officers",
            "调查取证时执法人员不得少于两人",
            "an investigation needs at least two enforcement officers",
        )
        self._investigation_started(actor=actor, at=at, officers=names)

    @event("InvestigationStarted")
    def _investigation_started(self, actor: Actor, at: datetime, officers: list[str]) -> None:
        self.officers = list(officers)
        self._moved(S.INVESTIGATING, at)

    def add_evidence(
        self, actor: Actor, at: datetime, kind: EvidenceKind, description: str, sha256: str, collected_by: str
    ) -> None:
        """Record one evidence item by the SHA-256 of its content."""
        at = self._guard("add_evidence", at)
        item = EvidenceItem(EvidenceKind.parse(kind, "evidence.kind"), description, sha256, collected_by)
        self._require(
            item.collected_by in self.officers,
            "add_evidence.officer",
            "证据须由本案调查人员收集",
            "evidence must be collected by one of the case's investigating officers",
        )
        self._require(
            item.sha256 not in {e.sha256 for e in self.evidence},
            "add_evidence.duplicate",
            "该证据已登记",
            "this evidence item is already recorded",
        )
        self._evidence_added(actor=actor, at=at, item=item)

    @event("EvidenceAdded")
    def _evidence_added(self, actor: Actor, at: datetime, item: EvidenceItem) -> None:
        self.evidence.append(item)
        self.last_at = at

    def conclude_investigation(
        self, actor: Actor, at: datetime, proposed: DecisionType, major: bool, complex_case: bool, summary: str
    ) -> None:
        """Conclude the investigation with a proposed outcome; say whether the case is major or complex."""
        at = self._guard("conclude", at)
        self._require(
            bool(self.evidence),
            "conclude.evidence",
            "调查终结前须至少登记一项证据",
            "an investigation cannot be concluded without evidence",
        )
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

    @event("InvestigationConcluded")
    def _concluded(
        self, actor: Actor, at: datetime, proposed: DecisionType, major: bool, complex_case: bool, summary: str
    ) -> None:
        self.major = major
        self.complex = complex_case
        self.review = None
        self._moved(S.CONCLUDED, at)

    def submit_for_review(self, actor: Actor, at: datetime) -> None:
        at = self._guard("submit_review", at)
        self._review_submitted(actor=actor, at=at, resume=EnforcementStatus.parse(self.status, "status"))

    @event("SubmittedForReview")
    def _review_submitted(self, actor: Actor, at: datetime, resume: EnforcementStatus) -> None:
        self.resume_after_review = resume
        self._moved(S.UNDER_REVIEW, at)

    def review_legality(self, actor: Actor, at: datetime, result: ReviewResult, opinions: str) -> None:
        """Legality review (法制审核): approve, or return to investigation with opinions."""
        at = self._guard("review", at)
        result = ReviewResult.parse(result, "result")
        self._require(
            actor.user_id not in self.officers,
            "review.independent",
            "法制审核人员不得由本案调查人员担任",
            "a legality reviewer cannot be one of the case's investigators",
        )
        text = (
            require_text(opinions, "opinions")
            if result is ReviewResult.RETURNED
            else optional_text(opinions, "opinions")
        )
        self._reviewed(actor=actor, at=at, result=result, opinions=text)

    @event("LegalityReviewed")
    def _reviewed(self, actor: Actor, at: datetime, result: ReviewResult, opinions: str) -> None:
        self.review = result
        if result is ReviewResult.APPROVED:
            after = self.resume_after_review
            self._moved(S.REVIEWED if after is S.CONCLUDED else after, at)
        else:
            self._moved(S.INVESTIGATING, at)

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
        intended = DecisionType.parse(intended, "intended")
        self._require(
            intended.is_penalty,
            "notify.penalty",
            "只有拟作出行政处罚的才需事先告知",
            "prior notice is given only for an intended penalty",
        )
        amount = _fine_for(intended, fine)
        party_type = PartyType.parse(party_type, "party_type")
        if not isinstance(hearing_offered, bool):
            raise InvalidValue("hearing_offered", "must be true or false", zh="应为 true 或 false")
        heavy = intended in _ALWAYS_HEARD or (amount is not None and amount >= large_fines.threshold(party_type))
        self._require(
            hearing_offered or not heavy,
            "notify.hearing_rights",
            f"拟作出{_penalty_zh(intended, amount)}属于较大数额罚款或其他较重的行政处罚（对{party_type.zh}罚款"
            f"{large_fines.threshold(party_type)}元以上），告知时须告知当事人有要求听证的权利（行政处罚法第六十三条）",
            f"{_penalty_en(intended, amount)} is a large fine or another heavy penalty (a fine of "
            f"{large_fines.threshold(party_type)} yuan or more on an {party_type.en.lower()}): the notice must offer "
            "the party a hearing (Art. 63)",
        )
        self._notified(
            actor=actor,
            at=at,
            intended=intended,
            fine=amount,
            rights=require_text(rights, "rights"),
            party_type=party_type,
            hearing_offered=hearing_offered,
        )

    @event("PriorNoticeGiven")
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
        self._moved(S.NOTIFIED, at)

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

    @event("HearingRequested")
    def _hearing_requested(self, actor: Actor, at: datetime) -> None:
        self.hearing_requested = True
        self._moved(S.HEARING_REQUESTED, at)

    def hold_hearing(self, actor: Actor, at: datetime, chair: str, participants: list[str], record: str) -> None:
        """Hold the hearing; its chair is not one of the investigators (Art. 64)."""
        at = self._guard("hold_hearing", at)
        chair = require_text(chair, "chair", MAX_NAME)
        self._require(
            chair not in self.officers,
            "hold_hearing.chair",
            "听证主持人不得由本案调查人员担任",
            "the hearing chair cannot be one of the case's investigators",
        )
        self._hearing_held(
            actor=actor,
            at=at,
            chair=chair,
            participants=require_names(participants, "participants"),
            record=require_text(record, "record"),
        )

    @event("HearingHeld")
    def _hearing_held(self, actor: Actor, at: datetime, chair: str, participants: list[str], record: str) -> None:
        self.hearing_held = True
        self._moved(S.HEARD, at)

    def discuss(self, actor: Actor, at: datetime, participants: list[str], conclusion: str) -> None:
        """Collective discussion by the office's leaders (Art. 57), required for major or complex cases."""
        at = self._guard("discuss", at)
        self._discussed(
            actor=actor,
            at=at,
            participants=require_names(participants, "participants", minimum=3),
            conclusion=require_text(conclusion, "conclusion"),
        )

    @event("CollectivelyDiscussed")
    def _discussed(self, actor: Actor, at: datetime, participants: list[str], conclusion: str) -> None:
        self.discussed = True
        self._moved(S.DISCUSSED, at)

    def decide(
        self, actor: Actor, at: datetime, decision: DecisionType, fine: Decimal | None, reasons: str, legal_basis: str
    ) -> None:
        """Decide the case, refusing any decision the law's procedure does not yet allow."""
        at = self._guard("decide", at)
        decision = DecisionType.parse(decision, "decision")
        amount = _fine_for(decision, fine)
        if self.major:
            self._require(
                self.review is ReviewResult.APPROVED,
                "decide.major_review",
                "重大执法决定须经法制审核通过后方可作出（行政处罚法第五十八条）",
                "an enforcement case of major type cannot be decided before legality review is approved",
            )
        if self.major or self.complex:
            self._require(
                self.discussed,
                "decide.collective",
                "情节复杂或重大违法的案件须经集体讨论决定（行政处罚法第五十七条）",
                "a complex or major case must be collectively discussed before it is decided",
            )
        if decision.is_penalty:
            self._require(
                self.notified_on is not None,
                "decide.prior_notice",
                "作出行政处罚决定前须事先告知当事人（行政处罚法第四十四条）",
                "a penalty cannot be decided before the party has been given prior notice",
            )
            assert self.intended is not None
            noticed = (self.intended, self.intended_fine)
            self._require(
                decision is self.intended
                and (amount is None or self.intended_fine is None or amount <= self.intended_fine),
                "decide.beyond_notice",
                f"决定的{_penalty_zh(decision, amount)}重于或不同于事先告知的{_penalty_zh(*noticed)}：须重新告知拟作出"
                "的处罚（依法应当听证的，告知听证权利），并重新给予陈述、申辩的期间（行政处罚法第四十四条、第六十二条、"
                "第六十三条）",
                f"the decision ({_penalty_en(decision, amount)}) is heavier than, or of another type than, the "
                f"prior notice ({_penalty_en(*noticed)}): give a new prior notice (offering a hearing where Art. 63 "
                "gives one) and a new period to state a case and defend first (Arts. 44, 62, 63)",
            )
        self._decided(
            actor=actor,
            at=at,
            decision=decision,
            fine=amount,
            reasons=require_text(reasons, "reasons"),
            legal_basis=require_text(legal_basis, "legal_basis"),
        )

    @event("Decided")
    def _decided(
        self, actor: Actor, at: datetime, decision: DecisionType, fine: Decimal | None, reasons: str, legal_basis: str
    ) -> None:
        self.decision = decision
        self.fine = fine
        self.decided_on = local_date(at)
        self._moved(S.DECIDED, at)

    def serve(self, actor: Actor, at: datetime, method: str) -> None:
        """Serve the decision on the party (送达)."""
        at = self._guard("serve", at)
        self._served(actor=actor, at=at, method=require_text(method, "method", MAX_NAME))

    @event("Served")
    def _served(self, actor: Actor, at: datetime, method: str) -> None:
        self._moved(S.SERVED, at)

    def publish(self, actor: Actor, at: datetime, where: str) -> None:
        """Publish the decision (执法公示)."""
        at = self._guard("publish", at)
        self._published(actor=actor, at=at, where=require_text(where, "where", MAX_NAME))

    @event("Published")
    def _published(self, actor: Actor, at: datetime, where: str) -> None:
        self._moved(S.PUBLISHED, at)

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

    @event("Executed")
    def _executed(self, actor: Actor, at: datetime, result: ExecutionResult, note: str) -> None:
        self.execution = result
        self._moved(S.EXECUTED, at)

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

    @event("Closed")
    def _closed(self, actor: Actor, at: datetime, reason: str) -> None:
        self._moved(S.CLOSED, at)


_ALWAYS_HEARD = frozenset({DecisionType.CONFISCATION, DecisionType.ORDER_DEMOLISH})
"""Heavy whatever their amount, as far as the ledger can tell (it does not know the value confiscated)."""


def _penalty_zh(decision: DecisionType, fine: Decimal | None) -> str:
    return f"罚款{fine}元" if fine is not None else f"「{decision.zh}」"


def _penalty_en(decision: DecisionType, fine: Decimal | None) -> str:
    return f"a fine of {fine} yuan" if fine is not None else decision.en.lower()


def _fine_for(decision: DecisionType, fine: Decimal | None) -> Decimal | None:
    if decision is DecisionType.FINE:
        return require_amount(fine, "fine")
    if fine is not None:
        raise InvalidValue(
            "fine", f"a decision of {decision.en.lower()} carries no fine", zh=f"「{decision.zh}」决定不附罚款"
        )
    return None
