"""Enumerations whose members carry a stable code plus Chinese and English labels."""

from __future__ import annotations

from enum import Enum
from typing import Self

from domain.errors import InvalidValue


class Labelled(Enum):
    """An enum member is stored by its code and shown by its labels.

    Members are declared as ``NAME = ("code", "中文", "English")``.
    """

    _value_: str
    zh: str
    en: str

    def __new__(cls, code: str, zh: str, en: str) -> Self:
        member = object.__new__(cls)
        member._value_ = code
        member.zh = zh
        member.en = en
        return member

    @property
    def code(self) -> str:
        return self._value_

    @classmethod
    def parse(cls, value: object, field: str) -> Self:
        """Return the member for ``value`` (a member or its code), or raise naming ``field``."""
        if isinstance(value, cls):
            return value
        for member in cls:
            if member.code == value:
                return member
        allowed = ", ".join(m.code for m in cls)
        raise InvalidValue(
            field, f"unknown value {value!r}; expected one of: {allowed}", zh=f"无效的值 {value!r}，可选：{allowed}"
        )

    @classmethod
    def parse_many(cls, values: object, field: str) -> list[Self]:
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise InvalidValue(field, "expected a list", zh="应为列表")
        return [cls.parse(v, field) for v in values]


def labelled_enums() -> list[type[Labelled]]:
    """Every Labelled enum defined so far (the domain's modules register theirs on import)."""
    found: list[type[Labelled]] = []
    pending = list(Labelled.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)
