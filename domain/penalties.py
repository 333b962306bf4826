"""What 《行政处罚法》(2021) requires of an enforcement case's procedure: its investigators, evidence,
reviewer, prior notice, hearing and decision.

The enforcement case (:mod:`domain.enforcement`) asks these rules before it records each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InvalidValue, require
from domain.outcomes import DecisionType, PartyType, ReviewResult
from domain.rules import LargeFines
from domain.values import EvidenceItem, require_amount

ALWAYS_HEARD = frozenset({DecisionType.CONFISCATION, DecisionType.ORDER_DEMOLISH})
"""Heavy whatever their amount, as far as the ledger can tell (it does not know the value confiscated)."""


@dataclass(frozen=True)
class Procedure:
    """Where an enforcement case's procedure stands when a decision is asked for."""

    major: bool
    complex: bool
    review: ReviewResult | None
    discussed: bool
    noticed: bool
    intended: DecisionType | None
    intended_fine: Decimal | None


def fine_for(decision: DecisionType, fine: Decimal | None) -> Decimal | None:
    """The fine a decision (or an intended one) carries: an amount for a fine, none for anything else."""
    if decision is DecisionType.FINE:
        return require_amount(fine, "fine")
    if fine is not None:
        raise InvalidValue(
            "fine", f"a decision of {decision.en.lower()} carries no fine", zh=f"「{decision.zh}」决定不附罚款"
        )
    return None


def require_investigators(officers: list[str]) -> None:
    """An investigation has at least two enforcement officers (Art. 42)."""
    require(
        len(officers) >= 2,
        "enforcement.investigate.officers",
        "调查取证时执法人员不得少于两人",
        "an investigation needs at least two enforcement officers",
    )


def require_admissible(item: EvidenceItem, officers: list[str], recorded: list[EvidenceItem]) -> None:
    """Evidence is collected by one of the case's investigators, and recorded once."""
    require(
        item.collected_by in officers,
        "enforcement.add_evidence.officer",
        "证据须由本案调查人员收集",
        "evidence must be collected by one of the case's investigating officers",
    )
    require(
        item.sha256 not in {e.sha256 for e in recorded},
        "enforcement.add_evidence.duplicate",
        "该证据已登记",
        "this evidence item is already recorded",
    )


def require_evidence(recorded: list[EvidenceItem]) -> None:
    """An investigation is concluded on evidence: at least one item."""
    require(
        bool(recorded),
        "enforcement.conclude.evidence",
        "调查终结前须至少登记一项证据",
        "an investigation cannot be concluded without evidence",
    )


def require_independent_reviewer(reviewer: str, officers: list[str]) -> None:
    """The legality reviewer is not one of the case's investigators."""
    require(
        reviewer not in officers,
        "enforcement.review.independent",
        "法制审核人员不得由本案调查人员担任",
        "a legality reviewer cannot be one of the case's investigators",
    )


def require_independent_chair(chair: str, officers: list[str]) -> None:
    """The hearing's chair is not one of the case's investigators (Art. 64)."""
    require(
        chair not in officers,
        "enforcement.hold_hearing.chair",
        "听证主持人不得由本案调查人员担任",
        "the hearing chair cannot be one of the case's investigators",
    )


def prior_notice(
    intended: object, fine: Decimal | None, party_type: object, hearing_offered: object, large_fines: LargeFines
) -> tuple[DecisionType, Decimal | None, PartyType, bool]:
    """The intended penalty, its fine, the party's type and whether a hearing is offered, as a notice may give
    them: only a penalty is noticed (Art. 44); a large fine (by ``party_type``), a confiscation or an order to
    demolish with the right to a hearing (Art. 63)."""
    penalty = DecisionType.parse(intended, "intended")
    require(
        penalty.is_penalty,
        "enforcement.notify.penalty",
        "只有拟作出行政处罚的才需事先告知",
        "prior notice is given only for an intended penalty",
    )
    amount = fine_for(penalty, fine)
    party = PartyType.parse(party_type, "party_type")
    if not isinstance(hearing_offered, bool):
        raise InvalidValue("hearing_offered", "must be true or false", zh="应为 true 或 false")
    _require_hearing_offered(penalty, amount, party, hearing_offered, large_fines)
    return penalty, amount, party, hearing_offered


def _require_hearing_offered(
    intended: DecisionType, fine: Decimal | None, party_type: PartyType, hearing_offered: bool, large_fines: LargeFines
) -> None:
    threshold = large_fines.threshold(party_type)
    heavy = intended in ALWAYS_HEARD or (fine is not None and fine >= threshold)
    require(
        hearing_offered or not heavy,
        "enforcement.notify.hearing_rights",
        f"拟作出{_penalty_zh(intended, fine)}属于较大数额罚款或其他较重的行政处罚（对{party_type.zh}罚款"
        f"{threshold}元以上），告知时须告知当事人有要求听证的权利（行政处罚法第六十三条）",
        f"{_penalty_en(intended, fine)} is a large fine or another heavy penalty (a fine of "
        f"{threshold} yuan or more on an {party_type.en.lower()}): the notice must offer "
        "the party a hearing (Art. 63)",
    )


def require_decision_allowed(decision: DecisionType, fine: Decimal | None, procedure: Procedure) -> None:
    """Refuse a decision the procedure does not yet allow: a major case before an approved legality review
    (Art. 58), a complex or major one before collective discussion (Art. 57), a penalty before prior notice
    (Art. 44) or heavier than, or other than, the one noticed (Arts. 44, 62, 63)."""
    if procedure.major:
        require(
            procedure.review is ReviewResult.APPROVED,
            "enforcement.decide.major_review",
            "重大执法决定须经法制审核通过后方可作出（行政处罚法第五十八条）",
            "an enforcement case of major type cannot be decided before legality review is approved",
        )
    if procedure.major or procedure.complex:
        require(
            procedure.discussed,
            "enforcement.decide.collective",
            "情节复杂或重大违法的案件须经集体讨论决定（行政处罚法第五十七条）",
            "a complex or major case must be collectively discussed before it is decided",
        )
    if not decision.is_penalty:
        return
    require(
        procedure.noticed,
        "enforcement.decide.prior_notice",
        "作出行政处罚决定前须事先告知当事人（行政处罚法第四十四条）",
        "a penalty cannot be decided before the party has been given prior notice",
    )
    intended, intended_fine = procedure.intended, procedure.intended_fine
    assert intended is not None
    require(
        decision is intended and (fine is None or intended_fine is None or fine <= intended_fine),
        "enforcement.decide.beyond_notice",
        f"决定的{_penalty_zh(decision, fine)}重于或不同于事先告知的{_penalty_zh(intended, intended_fine)}：须重新告知"
        "拟作出的处罚（依法应当听证的，告知听证权利），并重新给予陈述、申辩的期间（行政处罚法第四十四条、第六十二条、"
        "第六十三条）",
        f"the decision ({_penalty_en(decision, fine)}) is heavier than, or of another type than, the "
        f"prior notice ({_penalty_en(intended, intended_fine)}): give a new prior notice (offering a hearing where "
        "Art. 63 gives one) and a new period to state a case and defend first (Arts. 44, 62, 63)",
    )


def _penalty_zh(decision: DecisionType, fine: Decimal | None) -> str:
    return f"罚款{fine}元" if fine is not None else f"「{decision.zh}」"


def _penalty_en(decision: DecisionType, fine: Decimal | None) -> str:
    return f"a fine of {fine} yuan" if fine is not None else decision.en.lower()
