"""Tolerated-error rulings (容错免责认定) on a cadre whose error is at issue.

A ruling is its own aggregate: it concerns a person rather than a case, may touch several
cases or none, and outlives them. It is never edited; an appeal leads to a new ruling that
names the one it reviews.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidValue, require
from domain.labels import Labelled
from domain.lifecycle import Acted, Lifecycle, RecordName, Transition
from domain.time import check_moment
from domain.values import MAX_NAME, require_names, require_text


class RulingStatus(Labelled):
    REQUESTED = ("requested", "已申请", "Requested")
    ACCEPTED = ("accepted", "已受理", "Accepted")
    DECLINED = ("declined", "不予受理", "Declined")
    VERIFIED = ("verified", "已核实", "Verified")
    DELIBERATED = ("deliberated", "已集体研究", "Deliberated")
    RULED = ("ruled", "已认定", "Ruled")
    NOTIFIED = ("notified", "已告知", "Notified")
    FILED_UPWARD = ("filed_upward", "已备案", "Filed upward")
    APPEALED = ("appealed", "已申诉", "Appealed")


class ToleranceCondition(Labelled):
    WITHIN_LAW = ("within_law", "在法律法规和政策框架内履职", "Acted within law and discipline")
    PUBLIC_INTEREST = ("public_interest", "出于公心、未谋取私利", "For the public interest, no personal gain")
    DUE_PROCEDURE = ("due_procedure", "履行了决策程序", "Followed decision procedure")
    DILIGENT = ("diligent", "勤勉尽责", "Diligent")
    CORRECTED = ("corrected", "积极纠错、挽回损失", "Corrected the error and limited the loss")


class RulingOutcome(Labelled):
    EXEMPTED = ("exempted", "免责", "Exempted")
    MITIGATED = ("mitigated", "减责", "Mitigated")
    NOT_TOLERATED = ("not_tolerated", "不予容错", "Not tolerated")


class ToleranceEffect(Labelled):
    INTEGRITY_ASSESSMENT = ("integrity_assessment", "廉政考核", "Integrity assessment")
    INTEGRITY_CERTIFICATION = ("integrity_certification", "廉洁意见回复", "Integrity certification")
    AWARDS = ("awards", "评先评优", "Awards")
    TWO_RESPONSIBILITIES = ("two_responsibilities", "“两个责任”追究", "“Two responsibilities” accountability")
    DISCIPLINARY_SANCTION = ("disciplinary_sanction", "党纪政务处分", "Disciplinary sanction")


S = RulingStatus


class ToleranceRuling(Lifecycle, Aggregate):
    """One tolerated-error case about one cadre, from request to ruling, notice and filing."""

    class Requested(Aggregate.Created):
        request_key: str
        cadre_id: str
        cadre_name: str
        unit: str
        case_ids: list[UUID]
        error: str
        consequences: str
        circumstances: str
        motive: str
        proposed_by_unit: bool
        supersedes: UUID | None
        actor: Actor
        at: datetime

    class Accepted(Acted):
        pass

    class Declined(Acted):
        reason: str

    class Verified(Acted):
        conditions_met: list[ToleranceCondition]
        negative_list_hit: bool
        notes: str

    class Deliberated(Acted):
        participants: list[str]
        summary: str

    class Ruled(Acted):
        outcome: RulingOutcome
        effects: list[ToleranceEffect]
        basis: str

    class Notified(Acted):
        notified: str

    class FiledUpward(Acted):
        authority: str

    class Appealed(Acted):
        grounds: str

    RECORD: ClassVar[RecordName] = RecordName("ruling", "容错免责认定", "Tolerated-error ruling")
    TERMINAL = frozenset({S.DECLINED, S.RULED, S.NOTIFIED, S.FILED_UPWARD, S.APPEALED})
    LIFECYCLE: ClassVar[dict[str, Transition]] = {
        "request": Transition("申请", "be requested", Requested, frozenset(), S.REQUESTED),
        "accept": Transition("受理", "be accepted", Accepted, frozenset({S.REQUESTED}), S.ACCEPTED),
        "decline": Transition("不予受理", "be declined", Declined, frozenset({S.REQUESTED}), S.DECLINED),
        "verify": Transition("核实", "be verified", Verified, frozenset({S.ACCEPTED}), S.VERIFIED),
        "deliberate": Transition("集体研究", "be deliberated", Deliberated, frozenset({S.VERIFIED}), S.DELIBERATED),
        "rule": Transition("作出认定", "be ruled on", Ruled, frozenset({S.DELIBERATED}), S.RULED),
        "notify": Transition("告知", "be notified", Notified, frozenset({S.RULED}), S.NOTIFIED),
        "file_upward": Transition("备案", "be filed upward", FiledUpward, frozenset({S.NOTIFIED}), S.FILED_UPWARD),
        "appeal": Transition("申诉", "be appealed", Appealed, frozenset({S.NOTIFIED, S.FILED_UPWARD}), S.APPEALED),
        # The new ruling that reviews an appealed one records the review, naming the ruling it reviews.
        "review_appeal": Transition("复核", "be reviewed by a new ruling", None, frozenset({S.APPEALED})),
    }

    @staticmethod
    def create_id(request_key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"caseledger:/rulings/{request_key}")

    @event(Requested)
    def __init__(
        self,
        *,
        request_key: str,
        cadre_id: str,
        cadre_name: str,
        unit: str,
        case_ids: list[UUID],
        error: str,
        consequences: str,
        circumstances: str,
        motive: str,
        proposed_by_unit: bool,
        supersedes: UUID | None,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.cadre_id = cadre_id
        self.cadre_name = cadre_name
        self.unit = unit
        self.case_ids = list(case_ids)
        self.supersedes = supersedes
        self.conditions_met: list[ToleranceCondition] = []
        self.negative_list_hit = False
        self.outcome: RulingOutcome | None = None
        self._moved("request", at)

    @classmethod
    def request(
        cls,
        *,
        request_key: str,
        cadre_id: str,
        cadre_name: str,
        unit: str,
        case_ids: list[UUID],
        error: str,
        consequences: str,
        circumstances: str,
        motive: str,
        proposed_by_unit: bool,
        actor: Actor,
        at: datetime,
        supersedes: UUID | None = None,
    ) -> ToleranceRuling:
        """Open a ruling at the cadre's request or on the unit's proposal."""
        return cls(
            request_key=request_key,
            cadre_id=require_text(cadre_id, "cadre_id", MAX_NAME),
            cadre_name=require_text(cadre_name, "cadre_name", MAX_NAME),
            unit=require_text(unit, "unit", MAX_NAME),
            case_ids=list(case_ids),
            error=require_text(error, "error"),
            consequences=require_text(consequences, "consequences"),
            circumstances=require_text(circumstances, "circumstances"),
            motive=require_text(motive, "motive"),
            proposed_by_unit=bool(proposed_by_unit),
            supersedes=supersedes,
            actor=actor,
            at=check_moment(at, None),
        )

    def check_reviewable(self) -> None:
        """Refuse a new ruling reviewing this one unless this one was appealed."""
        self._check("review_appeal")

    def accept(self, actor: Actor, at: datetime) -> None:
        at = self._guard("accept", at)
        self._accepted(actor=actor, at=at)

    @event(Accepted)
    def _accepted(self, actor: Actor, at: datetime) -> None:
        self._moved("accept", at)

    def decline(self, actor: Actor, at: datetime, reason: str) -> None:
        at = self._guard("decline", at)
        self._declined(actor=actor, at=at, reason=require_text(reason, "reason"))

    @event(Declined)
    def _declined(self, actor: Actor, at: datetime, reason: str) -> None:
        self._moved("decline", at)

    def verify(
        self, actor: Actor, at: datetime, conditions_met: list[ToleranceCondition], negative_list_hit: bool, notes: str
    ) -> None:
        """Record which conditions were found met and whether the negative list applies."""
        at = self._guard("verify", at)
        met = ToleranceCondition.parse_many(conditions_met, "conditions_met")
        if len(set(met)) != len(met):
            raise InvalidValue("conditions_met", "each condition once", zh="每项条件只能列一次")
        if not isinstance(negative_list_hit, bool):
            raise InvalidValue("negative_list_hit", "must be true or false", zh="应为 true 或 false")
        ordered = [c for c in ToleranceCondition if c in met]
        self._verified(
            actor=actor,
            at=at,
            conditions_met=ordered,
            negative_list_hit=negative_list_hit,
            notes=require_text(notes, "notes"),
        )

    @event(Verified)
    def _verified(
        self, actor: Actor, at: datetime, conditions_met: list[ToleranceCondition], negative_list_hit: bool, notes: str
    ) -> None:
        self.conditions_met = list(conditions_met)
        self.negative_list_hit = negative_list_hit
        self._moved("verify", at)

    def deliberate(self, actor: Actor, at: datetime, participants: list[str], summary: str) -> None:
        """Collective deliberation; at least three people take part."""
        at = self._guard("deliberate", at)
        self._deliberated(
            actor=actor,
            at=at,
            participants=require_names(participants, "participants", minimum=3),
            summary=require_text(summary, "summary"),
        )

    @event(Deliberated)
    def _deliberated(self, actor: Actor, at: datetime, participants: list[str], summary: str) -> None:
        self._moved("deliberate", at)

    def rule(
        self, actor: Actor, at: datetime, outcome: RulingOutcome, effects: list[ToleranceEffect], basis: str
    ) -> None:
        """Rule: exempted only when every condition is met and the negative list is clear."""
        at = self._guard("rule", at)
        outcome = RulingOutcome.parse(outcome, "outcome")
        granted = ToleranceEffect.parse_many(effects, "effects")
        if outcome is not RulingOutcome.NOT_TOLERATED:
            require(
                not self.negative_list_hit,
                "ruling.rule.negative_list",
                "属于负面清单情形，不予容错",
                "the negative list applies, so the error cannot be tolerated",
            )
        if outcome is RulingOutcome.EXEMPTED:
            missing = [c for c in ToleranceCondition if c not in self.conditions_met]
            require(
                not missing,
                "ruling.rule.conditions",
                "免责须全部条件经核实成立，未成立：" + "、".join(c.zh for c in missing),
                "exemption needs every condition verified; not met: " + ", ".join(c.en for c in missing),
            )
        if outcome is RulingOutcome.NOT_TOLERATED and granted:
            raise InvalidValue(
                "effects", "a ruling of not tolerated grants no effects", zh="不予容错的认定不能给予任何效果"
            )
        if outcome is not RulingOutcome.NOT_TOLERATED and not granted:
            raise InvalidValue("effects", "name the effects the ruling grants", zh="请列明认定给予的效果")
        self._ruled(actor=actor, at=at, outcome=outcome, effects=granted, basis=require_text(basis, "basis"))

    @event(Ruled)
    def _ruled(
        self, actor: Actor, at: datetime, outcome: RulingOutcome, effects: list[ToleranceEffect], basis: str
    ) -> None:
        self.outcome = outcome
        self._moved("rule", at)

    def notify(self, actor: Actor, at: datetime, notified: str) -> None:
        at = self._guard("notify", at)
        self._notified(actor=actor, at=at, notified=require_text(notified, "notified", MAX_NAME))

    @event(Notified)
    def _notified(self, actor: Actor, at: datetime, notified: str) -> None:
        self._moved("notify", at)

    def file_upward(self, actor: Actor, at: datetime, authority: str) -> None:
        at = self._guard("file_upward", at)
        self._filed_upward(actor=actor, at=at, authority=require_text(authority, "authority", MAX_NAME))

    @event(FiledUpward)
    def _filed_upward(self, actor: Actor, at: datetime, authority: str) -> None:
        self._moved("file_upward", at)

    def appeal(self, actor: Actor, at: datetime, grounds: str) -> None:
        """The cadre appeals; a new ruling reviewing this one will name it."""
        at = self._guard("appeal", at)
        self._appealed(actor=actor, at=at, grounds=require_text(grounds, "grounds"))

    @event(Appealed)
    def _appealed(self, actor: Actor, at: datetime, grounds: str) -> None:
        self._moved("appeal", at)
