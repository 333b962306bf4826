"""Who did something: every event records the acting user, their role, unit and office."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.labels import Labelled


class Role(Labelled):
    CLERK = ("clerk", "受理员", "Clerk")
    HANDLER = ("handler", "承办人", "Handler")
    SUPERVISOR = ("supervisor", "依法行政工作监督小组", "Supervision group")
    LEGAL_REVIEWER = ("legal_reviewer", "法制审核", "Legal reviewer")
    DISCIPLINE = ("discipline", "纪工委", "Discipline committee")
    STATISTICIAN = ("statistician", "统计", "Statistician")
    ADMIN = ("admin", "系统管理员", "System administrator")
    SECURITY_ADMIN = ("security_admin", "安全管理员", "Security administrator")
    AUDIT_ADMIN = ("audit_admin", "安全审计员", "Audit administrator")


ADMINISTRATORS = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
"""The three administrators whose duties are kept apart (三员分立): users and registers, roles and keys,
the audit trail."""
DEFAULT_OFFICE = "default"
"""The office of a single-office installation, and of every event recorded before offices existed."""


@dataclass(frozen=True)
class Actor:
    """The user behind an event, and the request it came from."""

    user_id: str
    role: Role
    unit: str
    request_id: str = ""
    office: str = DEFAULT_OFFICE

    def __post_init__(self) -> None:
        if not self.user_id.strip():
            raise InvalidValue("actor.user_id", "must not be empty", zh="不能为空")
        if not isinstance(self.role, Role):
            raise InvalidValue("actor.role", f"not a role: {self.role!r}", zh=f"不是角色：{self.role!r}")
        if not self.unit.strip():
            raise InvalidValue("actor.unit", "must not be empty", zh="不能为空")
