"""The time-limit rule table: which stage of which kind runs against how many days.

Defaults are the statutory values; an office overrides any of them by configuration,
because local rules vary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from domain.errors import InvalidValue
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.outcomes import ClockPause, PartyType
from domain.values import require_amount


class DayUnit(Labelled):
    CALENDAR = ("calendar", "自然日", "calendar days")
    WORKING = ("working", "工作日", "working days")


class Stage(Labelled):
    ACCEPTANCE = ("acceptance", "受理告知", "Decide acceptance")
    HANDLING = ("handling", "办理", "Handle")
    RETURN_WINDOW = ("return_window", "退回期限", "Return a misdirected case")
    SETTLEMENT = ("settlement", "调解", "Settle")
    JUDICIAL_CONFIRMATION = ("judicial_confirmation", "申请司法确认", "Apply for judicial confirmation")
    DECISION = ("decision", "作出处理决定", "Decide")
    HEARING_REQUEST = ("hearing_request", "申请听证", "Request a hearing")
    SERVICE = ("service", "送达", "Serve the decision")


@dataclass(frozen=True)
class LargeFines:
    """From what amount a fine is large (较大数额罚款), so that its prior notice must offer a hearing
    (行政处罚法 Art. 63). The law leaves the amounts to provinces and sectors; these are the defaults."""

    individual: Decimal
    organisation: Decimal

    def threshold(self, party: PartyType) -> Decimal:
        return self.individual if party is PartyType.INDIVIDUAL else self.organisation


LARGE_FINES = LargeFines(individual=Decimal("5000"), organisation=Decimal("10000"))
"""The shipped default: a fine of 5,000 yuan or more on an individual, 10,000 or more on an organisation.
Local rules range from 1,000 to 10,000 yuan for individuals and from 10,000 to 100,000 for organisations
(public security, for one, uses 2,000 and 10,000); the default errs low, because a hearing offered without
need costs days, while a hearing withheld where the law gives one voids the decision. Set the office's
own amounts in ``CASELEDGER_RULES_FILE``."""


@dataclass(frozen=True)
class ClockRule:
    """How long one stage may take, what pauses it and how far it may be extended."""

    kind: CaseKind
    stage: Stage
    days: int
    unit: DayUnit
    basis: str
    pauses: frozenset[ClockPause] = frozenset()
    extension_cap: int = 0
    max_extensions: int = 0
    needs_consent: bool = False


_DEFAULTS = (
    ClockRule(CaseKind.COMPLAINT, Stage.ACCEPTANCE, 15, DayUnit.CALENDAR, "《信访工作条例》第三十一条"),
    ClockRule(
        CaseKind.COMPLAINT,
        Stage.HANDLING,
        60,
        DayUnit.CALENDAR,
        "《信访工作条例》第三十五条",
        pauses=frozenset({ClockPause.WAITING_ON_PARTY}),
        extension_cap=30,
        max_extensions=1,
    ),
    ClockRule(CaseKind.COMPLAINT, Stage.RETURN_WINDOW, 5, DayUnit.WORKING, "《信访工作条例》第三十二条"),
    ClockRule(
        CaseKind.DISPUTE,
        Stage.SETTLEMENT,
        30,
        DayUnit.CALENDAR,
        "人民调解工作规范（地方规定）",
        pauses=frozenset({ClockPause.WAITING_ON_PARTY}),
        extension_cap=30,
        max_extensions=1,
        needs_consent=True,
    ),
    ClockRule(CaseKind.DISPUTE, Stage.JUDICIAL_CONFIRMATION, 30, DayUnit.CALENDAR, "《人民调解法》第三十三条"),
    ClockRule(
        CaseKind.ENFORCEMENT,
        Stage.DECISION,
        90,
        DayUnit.CALENDAR,
        "《行政处罚法》第六十条",
        pauses=frozenset({ClockPause.HEARING, ClockPause.EXPERT_TESTING, ClockPause.PUBLIC_NOTICE}),
        extension_cap=30,
        max_extensions=1,
    ),
    ClockRule(CaseKind.ENFORCEMENT, Stage.HEARING_REQUEST, 5, DayUnit.WORKING, "《行政处罚法》第六十四条、第八十五条"),
    ClockRule(CaseKind.ENFORCEMENT, Stage.SERVICE, 7, DayUnit.WORKING, "《行政处罚法》第六十一条、第八十五条"),
)


class RuleTable:
    """Clock rules by (kind, stage), with optional per-category overrides, and the amounts of a large fine."""

    def __init__(
        self, rules: Mapping[tuple[CaseKind, Stage, str], ClockRule], large_fines: LargeFines = LARGE_FINES
    ) -> None:
        self._rules = dict(rules)
        self.large_fines = large_fines

    @classmethod
    def statutory(cls) -> RuleTable:
        return cls({(r.kind, r.stage, ""): r for r in _DEFAULTS})

    def rule(self, kind: CaseKind, stage: Stage, category: str = "") -> ClockRule:
        found = self._rules.get((kind, stage, category)) or self._rules.get((kind, stage, ""))
        if found is None:
            raise InvalidValue(
                "stage", f"no time limit for {kind.code}/{stage.code}", zh=f"{kind.zh}的「{stage.zh}」没有办理时限"
            )
        return found

    def rules(self) -> list[tuple[str, ClockRule]]:
        """Every rule with the category it is specific to ("" for the kind's default)."""
        return [(category, rule) for (_, _, category), rule in sorted(self._rules.items(), key=_order)]

    def overridden(self, overrides: list[Mapping[str, Any]]) -> RuleTable:
        """A copy with each override applied; an override names kind, stage, optional category
        and any of days, unit, pauses, extension_cap, max_extensions, needs_consent; or it is
        ``{"large_fines": {"individual": …, "organisation": …}}`` (yuan; either may be left out)."""
        rules = dict(self._rules)
        large_fines = self.large_fines
        for index, item in enumerate(overrides):
            where = f"rules[{index}]"
            if "large_fines" in item:
                large_fines = _large_fines(large_fines, item, where)
                continue
            kind = CaseKind.parse(item.get("kind"), f"{where}.kind")
            stage = Stage.parse(item.get("stage"), f"{where}.stage")
            category = str(item.get("category", ""))
            base = rules.get((kind, stage, category)) or self.rule(kind, stage)
            changes: dict[str, Any] = {}
            for name in ("days", "extension_cap", "max_extensions"):
                if name in item:
                    value = item[name]
                    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                        raise InvalidValue(f"{where}.{name}", "must be a non-negative whole number", zh="应为非负整数")
                    changes[name] = value
            if "unit" in item:
                changes["unit"] = DayUnit.parse(item["unit"], f"{where}.unit")
            if "pauses" in item:
                changes["pauses"] = frozenset(ClockPause.parse_many(item["pauses"], f"{where}.pauses"))
            if "needs_consent" in item:
                changes["needs_consent"] = bool(item["needs_consent"])
            if "basis" in item:
                changes["basis"] = str(item["basis"])
            rules[(kind, stage, category)] = replace(base, **changes)
        return RuleTable(rules, large_fines)


def _large_fines(current: LargeFines, item: Mapping[str, Any], where: str) -> LargeFines:
    amounts = item["large_fines"]
    if set(item) != {"large_fines"} or not isinstance(amounts, Mapping):
        raise InvalidValue(
            f"{where}.large_fines",
            "must be the override's only key, an object of amounts",
            zh="应为该条覆盖的唯一键，其值为各类当事人的金额",
        )
    unknown = set(amounts) - {"individual", "organisation"}
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        raise InvalidValue(f"{where}.large_fines", f"unknown party types: {names}", zh=f"未知的当事人类型：{names}")
    changes = {}
    for party, value in amounts.items():
        field = f"{where}.large_fines.{party}"
        amount = value
        if isinstance(value, str):
            try:
                amount = Decimal(value)
            except ArithmeticError:
                raise InvalidValue(field, "must be an amount of yuan", zh="应为以元计的金额") from None
        changes[party] = require_amount(amount, field)
    return replace(current, **changes)


def _order(item: tuple[tuple[CaseKind, Stage, str], ClockRule]) -> tuple[str, str, str]:
    (kind, stage, category), _ = item
    return (kind.code, stage.code, category)
