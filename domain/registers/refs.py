"""How register entries are named: the registers, codes, the deterministic id a code gives, and the
refusal of a code that names nothing in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import InvalidValue
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.time import SHANGHAI

DEFAULT_OFFICE = "default"
"""The office of a single-office install: valid without being registered."""
MAX_CODE = 64


class Register(Labelled):
    OFFICE = ("office", "街道/乡镇", "Office")
    UNIT = ("unit", "单位", "Unit")
    PLACE = ("place", "村/社区及网格", "Place")
    COMPLAINT_CATEGORY = ("complaint_category", "投诉类别", "Complaint category")
    DISPUTE_CATEGORY = ("dispute_category", "纠纷类型", "Dispute category")
    ENFORCEMENT_CATEGORY = ("enforcement_category", "违法行为类型", "Enforcement category")

    @classmethod
    def for_kind(cls, kind: CaseKind) -> Register:
        """The register of the categories of ``kind``."""
        return cls.parse(f"{kind.code}_category", "kind")


def require_code(value: object, field: str) -> str:
    """A code as given: 1 to 64 characters, no white space and no ``/``, never trimmed or folded."""
    if not isinstance(value, str) or not value:
        raise InvalidValue(field, "must be a non-empty code", zh="应为非空编码")
    if len(value) > MAX_CODE:
        raise InvalidValue(field, f"must be at most {MAX_CODE} characters", zh=f"不能超过 {MAX_CODE} 个字符")
    if "/" in value or any(c.isspace() or not c.isprintable() for c in value):
        raise InvalidValue(
            field, "must not contain white space, control characters or '/'", zh="不能包含空白、控制字符或“/”"
        )
    return value


def entry_id_for(office: str, register: Register, code: str) -> UUID:
    """The id of the entry ``code`` of ``register`` in ``office``: the same code always names the same entry."""
    return uuid5(NAMESPACE_URL, f"caseledger:/registers/{office}/{register.code}/{code}")


@dataclass(frozen=True)
class EntryRef:
    """How an entry is named: its office, its register and its code."""

    office: str
    register: Register
    code: str

    def __post_init__(self) -> None:
        require_code(self.office, "office")
        object.__setattr__(self, "register", Register.parse(self.register, "register"))
        require_code(self.code, "code")

    @property
    def id(self) -> UUID:
        return entry_id_for(self.office, self.register, self.code)

    def sibling(self, code: str) -> EntryRef:
        """Another entry of the same register and office."""
        return EntryRef(self.office, self.register, code)


def shown(moment: datetime) -> str:
    """A moment as people read it: China time, to the minute."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="minutes")


class NotInRegister(InvalidValue):
    """A code that names no entry of the register active at the time asked about (unknown, not yet active,
    retired or merged); ``field`` names the input that gave it."""

    def __init__(self, field: str, ref: EntryRef, message: str, *, zh: str) -> None:
        super().__init__(field, message, zh=zh)
        self.ref = ref

    @classmethod
    def unknown(cls, ref: EntryRef, field: str) -> NotInRegister:
        reg = ref.register
        if reg is Register.OFFICE:
            return cls(field, ref, f"no office {ref.code!r} is registered", zh=f"没有编码为「{ref.code}」的{reg.zh}")
        return cls(
            field,
            ref,
            f"no {reg.en.lower()} {ref.code!r} in office {ref.office!r}",
            zh=f"「{ref.office}」没有编码为「{ref.code}」的{reg.zh}",
        )
