"""Categories of each kind of case, as a tree per kind, each with its own time limits within the statute's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.errors import CalendarYearMissing, InvalidValue, require
from domain.kinds import CaseKind
from domain.registers.entry import Opening, RegisterEntry, as_of, checked_parent
from domain.registers.refs import Register, entry_id_for
from domain.rules import DayUnit, RuleTable, Stage
from domain.values import require_text

STATUTORY = RuleTable.statutory()
"""The ceiling of every category's limits: the statutory defaults, whatever an office configures."""


@dataclass(frozen=True)
class TimeLimit:
    """How long a stage of a case of the category may take."""

    stage: Stage
    days: int
    unit: DayUnit

    def __post_init__(self) -> None:
        if not isinstance(self.stage, Stage):
            raise InvalidValue("limits.stage", f"not a stage: {self.stage!r}", zh=f"不是办理环节：{self.stage!r}")
        if not isinstance(self.days, int) or isinstance(self.days, bool) or self.days <= 0:
            raise InvalidValue("limits.days", "must be a positive whole number of days", zh="应为正整数天数")
        if not isinstance(self.unit, DayUnit):
            raise InvalidValue("limits.unit", f"not a day unit: {self.unit!r}", zh=f"不是计日方式：{self.unit!r}")


def checked_limits(kind: CaseKind, limits: Sequence[TimeLimit], calendar: WorkingCalendar) -> list[TimeLimit]:
    """``limits`` in the statute's order of stages, refused unless each is for a stage of ``kind``, given
    once, and no longer than the statutory limit of that stage."""
    if isinstance(limits, str) or not all(isinstance(limit, TimeLimit) for limit in limits):
        raise InvalidValue("limits", "must be a list of time limits", zh="应为办理时限列表")
    stages = [rule.stage for _, rule in STATUTORY.rules() if rule.kind is kind]
    for limit in limits:
        if limit.stage not in stages:
            allowed = ", ".join(s.code for s in stages)
            raise InvalidValue(
                "limits.stage",
                f"{limit.stage.code} is not a stage of a {kind.en.lower()}; expected one of: {allowed}",
                zh=f"「{limit.stage.zh}」不是{kind.zh}的办理环节，可选：{allowed}",
            )
        _within_statute(kind, limit, calendar)
    if len({limit.stage for limit in limits}) != len(limits):
        raise InvalidValue("limits", "each stage once", zh="每个办理环节只能设一个时限")
    return sorted(limits, key=lambda limit: stages.index(limit.stage))


def _within_statute(kind: CaseKind, limit: TimeLimit, calendar: WorkingCalendar) -> None:
    rule = STATUTORY.rule(kind, limit.stage)
    if limit.unit is rule.unit or limit.unit is DayUnit.CALENDAR:
        longest = limit.days  # n calendar days never end after n working days
    else:
        longest = longest_span(calendar, limit.days)
    require(
        longest <= rule.days,
        "category.limits.statutory",
        f"「{limit.stage.zh}」时限 {limit.days} 个{limit.unit.zh}"
        f"超过法定的 {rule.days} 个{rule.unit.zh}（{rule.basis}）",
        f"{limit.days} {limit.unit.en} to {limit.stage.en.lower()} exceed the statutory {rule.days} {rule.unit.en} "
        f"({rule.basis})",
    )


def longest_span(calendar: WorkingCalendar, working_days: int) -> int:
    """The most calendar days ``working_days`` working days take, from any day of the years the calendar
    holds (each year's holidays and make-up working days counted); a span no loaded start can complete
    counts as endless."""
    longest = 0
    for year in sorted(calendar.years):
        start = date(year, 1, 1) - timedelta(days=1)
        while start.year <= year:
            try:
                longest = max(longest, (calendar.add_working_days(start, working_days) - start).days)
            except CalendarYearMissing:
                break
            start += timedelta(days=1)
    return longest or working_days * 366


class Category(RegisterEntry):
    """A category of one kind of case, optionally under another of the same kind; its time limits are its
    own (a child does not inherit its parent's), and a stage it sets none for runs on the rule table's."""

    NOUN = "category"

    @classmethod
    def create_id(cls, office: str, code: str, kind: CaseKind) -> UUID:  # type: ignore[override]
        return entry_id_for(office, Register.for_kind(kind), code)

    @event("Registered")
    def __init__(
        self,
        *,
        office: str,
        code: str,
        name: str,
        kind: CaseKind,
        parent: str | None,
        limits: list[TimeLimit],
        active_from: datetime,
        reason: str,
        fingerprint: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self._start(office, code, name, parent, active_from, fingerprint, at)
        self.kind = kind
        self.limit_history: list[tuple[datetime, list[TimeLimit]]] = [(at, list(limits))]

    @classmethod
    def add(
        cls,
        opening: Opening,
        *,
        kind: CaseKind,
        lineage: Sequence[RegisterEntry],
        limits: Sequence[TimeLimit],
        calendar: WorkingCalendar,
    ) -> Category:
        """Register a category of ``kind``; ``lineage`` is its parent and the parent's ancestors."""
        kind = CaseKind.parse(kind, "kind")
        parent = checked_parent(cls.NOUN, opening.ref(Register.for_kind(kind)), lineage, opening.moment)
        return cls(**opening.fields, kind=kind, parent=parent, limits=checked_limits(kind, limits, calendar))

    @property
    def register(self) -> Register:
        return Register.for_kind(self.kind)

    @property
    def limits(self) -> list[TimeLimit]:
        return list(self.limit_history[-1][1])

    def limits_at(self, at: datetime) -> list[TimeLimit]:
        """The limits in force at ``at`` (the first ones for any time before they were first changed)."""
        return list(as_of(self.limit_history, at))

    def change_limits(
        self, actor: Actor, at: datetime, limits: Sequence[TimeLimit], reason: str, calendar: WorkingCalendar
    ) -> None:
        """Replace the category's time limits from now on; the earlier ones stay what ``limits_at`` answers for
        the time before."""
        moment = self._changing("change_limits", at)
        checked = checked_limits(self.kind, limits, calendar)
        self._require(
            checked != self.limits,
            "change_limits.unchanged",
            f"类别「{self.code}」的时限未改变",
            f"the limits of the category {self.code!r} are unchanged",
        )
        self._limits_changed(actor=actor, at=moment, limits=checked, reason=require_text(reason, "reason"))

    @event("LimitsChanged")
    def _limits_changed(self, actor: Actor, at: datetime, limits: list[TimeLimit], reason: str) -> None:
        self.limit_history.append((at, list(limits)))
        self.last_at = at
