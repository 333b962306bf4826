"""The rules a new password must meet (等保 2.0 level 3 practice: length, character classes, not the username).

The rules are configuration (:class:`application.config.Settings`); a refusal names the rule it broke by a
stable code, in English and Chinese, and never echoes the password.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from domain.errors import InvalidValue

MAX_PASSWORD = 128
"""Longer passwords are refused: hashing an unbounded input is an easy way to tie up a server."""


@dataclass(frozen=True)
class PasswordRules:
    """What a new password must be: at least ``min_length`` characters, of at least ``min_classes`` of the
    four classes (lower case, upper case, digits, others), and neither the username nor containing it."""

    min_length: int = 8
    min_classes: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.min_length <= MAX_PASSWORD:
            raise InvalidValue("min_length", f"must be 1 to {MAX_PASSWORD}", zh=f"应为 1 至 {MAX_PASSWORD}")
        if not 1 <= self.min_classes <= 4:
            raise InvalidValue("min_classes", "must be 1 to 4", zh="应为 1 至 4")

    def check(self, password: object, username: str, field: str = "new_password") -> str:
        """``password`` if it meets every rule; else :class:`InvalidValue` naming the first rule it breaks."""
        if not isinstance(password, str):
            raise InvalidValue(field, "must be text", zh="应为文本")
        if len(password) < self.min_length:
            _refuse(
                field,
                "password.length",
                f"must be at least {self.min_length} characters",
                f"至少 {self.min_length} 个字符",
            )
        if len(password) > MAX_PASSWORD:
            _refuse(
                field,
                "password.length",
                f"must be at most {MAX_PASSWORD} characters",
                f"不能超过 {MAX_PASSWORD} 个字符",
            )
        if character_classes(password) < self.min_classes:
            _refuse(
                field,
                "password.classes",
                f"must mix at least {self.min_classes} of: lower case, upper case, digits, other characters",
                f"应至少包含小写字母、大写字母、数字、其他字符中的 {self.min_classes} 类",
            )
        if username.casefold() in password.casefold():
            _refuse(field, "password.username", "must not be or contain the username", "不能是或包含用户名")
        return password


def character_classes(password: str) -> int:
    """How many of the four classes (lower case, upper case, digits, others) ``password`` uses."""
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(unicodedata.category(c) == "Nd" for c in password)
    other = any(not (c.islower() or c.isupper() or unicodedata.category(c) == "Nd") for c in password)
    return lower + upper + digit + other


def _refuse(field: str, rule: str, en: str, zh: str) -> None:
    raise InvalidValue(field, f"{en} (rule {rule})", zh=f"{zh}（规则 {rule}）")
