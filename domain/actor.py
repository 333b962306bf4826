"""Who did something: every event records the acting user, their role and unit."""

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
    ADMIN = ("admin", "管理员", "Administrator")


@dataclass(frozen=True)
class Actor:
    """The user behind an event, and the request it came from."""

    user_id: str
    role: Role
    unit: str
    request_id: str = ""

    def __post_init__(self) -> None:
        if not self.user_id.strip():
            raise InvalidValue("actor.user_id", "must not be empty", zh="不能为空")
        if not isinstance(self.role, Role):
            raise InvalidValue("actor.role", f"not a role: {self.role!r}", zh=f"不是角色：{self.role!r}")
        if not self.unit.strip():
            raise InvalidValue("actor.unit", "must not be empty", zh="不能为空")
