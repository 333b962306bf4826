"""What a refused field is told, in English and in Chinese.

marshmallow speaks English: each of its messages the API can give has its Chinese here. A message the
web layer writes itself carries its Chinese (:class:`Message`); the domain's carry theirs in
:class:`~domain.errors.InvalidValue`.
"""

from __future__ import annotations

import re


class Message(str):
    """An English message that carries its Chinese in :attr:`zh`."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Message:
        message = super().__new__(cls, en)
        message.zh = zh
        return message


_MARSHMALLOW = {
    r"Missing data for required field\.": "缺少必填项",
    r"Field may not be null\.": "不能为 null",
    r"Unknown field\.": "没有这个字段",
    r"Invalid input type\.": "应为 JSON 对象",
    r"Invalid value\.": "取值不合法",
    r"Not a valid string\.": "应为文本",
    r"Not a valid integer\.": "应为整数",
    r"Not a valid number\.": "应为数字",
    r"Number too large\.": "数值过大",
    r"Special numeric values \(nan or infinity\) are not permitted\.": "不能是 NaN 或无穷大",
    r"Not a valid boolean\.": "应为 true 或 false",
    r"Not a valid UUID\.": "应为 UUID",
    r"Not a valid date\.": "应为日期，如 2025-03-10",
    r"Not a valid (aware )?datetime\.": "应为带时区的日期时间，如 2025-03-10T10:00:00+08:00",
    r"Not a valid list\.": "应为列表",
    r"String does not match expected pattern\.": "格式不对",
    r"Length must be between (\d+) and (\d+)\.": r"长度应为 \1 至 \2 个字符（或项）",
    r"Shorter than minimum length (\d+)\.": r"长度不能少于 \1 个字符（或项）",
    r"Longer than maximum length (\d+)\.": r"长度不能超过 \1 个字符（或项）",
    r"Length must be (\d+)\.": r"长度应为 \1 个字符（或项）",
    r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.": r"应在 \1 至 \2 之间",
    r"Must be greater than or equal to (\S+)\.": r"不能小于 \1",
    r"Must be less than or equal to (\S+)\.": r"不能大于 \1",
    r"Must be one of: (.*)\.": r"应为以下之一：\1",
}
_CATALOGUE = [(re.compile(en), zh) for en, zh in _MARSHMALLOW.items()]


def in_chinese(message: str) -> str:
    """The Chinese of a field's ``message``; the message itself if it has none (never nothing)."""
    if isinstance(message, Message):
        return message.zh
    for pattern, zh in _CATALOGUE:
        found = pattern.fullmatch(message)
        if found is not None:
            return found.expand(zh)
    return message
