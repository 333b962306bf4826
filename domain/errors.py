"""Errors the domain raises: a refused rule, a bad value, a missing calendar year."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """Base of every error the domain raises."""


class InvalidValue(DomainError):
    """A value given to the domain is unacceptable; ``field`` names it, ``message`` says why in English
    and ``zh`` in Chinese."""

    def __init__(self, field: str, message: str, *, zh: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.zh = zh


class RuleViolation(DomainError):
    """A transition was refused; ``rule`` is a stable code naming the rule that refused it."""

    def __init__(self, rule: str, zh: str, en: str) -> None:
        super().__init__(f"[{rule}] {en} / {zh}")
        self.rule = rule
        self.zh = zh
        self.en = en


class CalendarYearMissing(DomainError):
    """The working-day calendar has no data for the year asked about."""

    def __init__(self, year: int, loaded: Iterable[int]) -> None:
        years = ", ".join(str(y) for y in sorted(loaded)) or "none"
        super().__init__(
            f"工作日历缺少 {year} 年的数据（已载入：{years}） / no working-day calendar for {year} (loaded: {years})"
        )
        self.year = year


def require(condition: bool, rule: str, zh: str, en: str) -> None:
    """Raise :class:`RuleViolation` naming ``rule`` unless ``condition`` holds."""
    if not condition:
        raise RuleViolation(rule, zh, en)
