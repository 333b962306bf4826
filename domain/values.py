"""Value objects recorded inside events, each checking itself on construction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import uuid4

from domain.errors import InvalidValue
from domain.outcomes import EvidenceKind, PartyRole

MAX_TEXT = 4000
MAX_NAME = 200
SEALED_PREFIX = "enc:"
"""Marks an identity field the application has encrypted; the domain keeps it as opaque text."""
MAX_SEALED = 1200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def require_text(value: object, field: str, max_length: int = MAX_TEXT) -> str:
    """Return ``value`` stripped, refusing a non-string, an empty string or an overlong one."""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text", zh="应为文本")
    text = value.strip()
    if not text:
        raise InvalidValue(field, "must not be empty", zh="不能为空")
    if len(text) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters", zh=f"不能超过 {max_length} 个字符")
    return text


def optional_text(value: object, field: str, max_length: int = MAX_TEXT) -> str:
    """Like :func:`require_text`, but an empty or missing value gives ``""``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return require_text(value, field, max_length)


def identity_text(value: object, field: str, max_length: int, *, required: bool) -> str:
    """A party's identity field: text within ``max_length``, or a sealed value kept exactly as given."""
    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
        if len(value) > MAX_SEALED:
            raise InvalidValue(
                field, f"a sealed value must be at most {MAX_SEALED} characters", zh=f"密文不能超过 {MAX_SEALED} 个字符"
            )
        return value
    return require_text(value, field, max_length) if required else optional_text(value, field, max_length)


def require_names(values: object, field: str, minimum: int = 1) -> list[str]:
    """A list of distinct non-empty names, at least ``minimum`` of them."""
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidValue(field, "expected a list", zh="应为列表")
    names = [require_text(v, field, MAX_NAME) for v in values]
    if len(set(names)) != len(names):
        raise InvalidValue(field, "names must be distinct", zh="名字不能重复")
    if len(names) < minimum:
        raise InvalidValue(field, f"at least {minimum} required", zh=f"至少需要 {minimum} 个")
    return names


def require_amount(value: object, field: str) -> Decimal:
    """A positive amount of yuan with at most two decimal places."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise InvalidValue(field, "must be a decimal amount", zh="应为金额")
    amount = Decimal(value)
    if not amount.is_finite() or amount <= 0:
        raise InvalidValue(field, "must be a positive amount", zh="金额应大于零")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidValue(field, "at most two decimal places", zh="最多两位小数")
    return amount


@dataclass(frozen=True)
class Location:
    """Where a case is: village or community, grid cell, address, optional coordinates."""

    village: str
    address: str
    grid_cell: str = ""
    latitude: float | None = None
    longitude: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "village", require_text(self.village, "location.village", MAX_NAME))
        object.__setattr__(self, "address", require_text(self.address, "location.address", MAX_NAME))
        object.__setattr__(self, "grid_cell", optional_text(self.grid_cell, "location.grid_cell", MAX_NAME))
        if (self.latitude is None) != (self.longitude is None):
            raise InvalidValue("location.latitude", "latitude and longitude come together", zh="纬度和经度应同时填写")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InvalidValue("location.latitude", "must be between -90 and 90", zh="应在 -90 至 90 之间")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InvalidValue("location.longitude", "must be between -180 and 180", zh="应在 -180 至 180 之间")


@dataclass(frozen=True)
class Party:
    """A person or organisation in a case; ``party_id`` is stable across corrections."""

    role: PartyRole
    name: str
    phone: str = ""
    id_number: str = ""
    party_id: str = field(default_factory=lambda: uuid4().hex)

    def __post_init__(self) -> None:
        if not isinstance(self.role, PartyRole):
            raise InvalidValue("parties.role", f"not a party role: {self.role!r}", zh=f"不是当事人角色：{self.role!r}")
        object.__setattr__(self, "name", identity_text(self.name, "parties.name", MAX_NAME, required=True))
        object.__setattr__(self, "phone", identity_text(self.phone, "parties.phone", 40, required=False))
        object.__setattr__(self, "id_number", identity_text(self.id_number, "parties.id_number", 40, required=False))


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence, identified by the SHA-256 of its content."""

    kind: EvidenceKind
    description: str
    sha256: str
    collected_by: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, EvidenceKind):
            raise InvalidValue(
                "evidence.kind", f"not an evidence kind: {self.kind!r}", zh=f"不是证据种类：{self.kind!r}"
            )
        object.__setattr__(self, "description", require_text(self.description, "evidence.description"))
        if not isinstance(self.sha256, str) or not _SHA256.match(self.sha256):
            raise InvalidValue("evidence.sha256", "must be 64 lower-case hex digits", zh="应为 64 位小写十六进制数字")
        object.__setattr__(self, "collected_by", require_text(self.collected_by, "evidence.collected_by", MAX_NAME))


VALUE_OBJECTS: tuple[type, ...] = (Location, Party, EvidenceItem)
