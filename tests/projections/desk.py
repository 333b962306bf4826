"""A desk that files and moves cases through the ledger, remembering each case's version and
handing out moments that only move forward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.core import CommandResult
from application.ledger import CaseLedger
from domain.actor import Actor, Role
from domain.kinds import Channel, ComplaintCategory, DisputeType, ViolationType
from domain.outcomes import PartyRole
from domain.values import Location, Party
from tests.support import CLERK, HANDLER, Clock, complainant

MEDIATOR = Actor("handler-2", Role.HANDLER, "人民调解委员会")
OFFICERS = ["张执法", "刘执法"]


def place(village: str = "东湖村", grid_cell: str = "DH-03") -> Location:
    return Location(village=village, address=f"{village}一组1号", grid_cell=grid_cell)


class Desk:
    """Files cases and runs commands on them at increasing moments, tracking versions and log positions."""

    def __init__(self, ledger: CaseLedger, clock: Clock | None = None) -> None:
        self.ledger = ledger
        self.clock = clock or Clock()
        self.versions: dict[UUID, int] = {}
        self.position = 0
        self.after: Callable[[UUID], None] = lambda case_id: None

    def _filed(self, result: CommandResult) -> UUID:
        self.versions[result.id] = result.version
        self.position = max(self.position, result.position or 0)
        self.after(result.id)
        return result.id

    def complaint(
        self,
        key: str,
        *,
        category: ComplaintCategory = ComplaintCategory.ROAD_OCCUPATION,
        channel: Channel = Channel.HOTLINE,
        location: Location | None = None,
        description: str = "早餐摊点占用人行道经营",
        anonymous: bool = False,
        days: float = 0,
    ) -> UUID:
        return self._filed(
            self.ledger.file_complaint(
                key,
                CLERK,
                category=category,
                channel=channel,
                location=location or place(),
                description=description,
                parties=[] if anonymous else [complainant()],
                anonymous=anonymous,
                at=self.clock(days),
            )
        )

    def dispute(
        self,
        key: str,
        *,
        category: DisputeType = DisputeType.AQUACULTURE_POND,
        channel: Channel = Channel.APPLICATION,
        location: Location | None = None,
        description: str = "养殖塘排水纠纷",
        days: float = 0,
    ) -> UUID:
        return self._filed(
            self.ledger.file_dispute(
                key,
                CLERK,
                category=category,
                channel=channel,
                location=location or place(),
                description=description,
                parties=[Party(PartyRole.APPLICANT, "李建国", "13900000000"), Party(PartyRole.RESPONDENT, "赵国强")],
                at=self.clock(days),
            )
        )

    def clue(
        self,
        key: str,
        *,
        category: ViolationType = ViolationType.ILLEGAL_CONSTRUCTION,
        channel: Channel = Channel.PATROL,
        location: Location | None = None,
        description: str = "网格巡查发现未经批准搭建彩钢棚",
        days: float = 0,
    ) -> UUID:
        return self._filed(
            self.ledger.record_clue(
                key,
                HANDLER,
                category=category,
                channel=channel,
                location=location or place(),
                description=description,
                parties=[Party(PartyRole.PARTY, "某建材店")],
                at=self.clock(days),
            )
        )

    def do(self, command: str, case_id: UUID, actor: Actor, *args: Any, days: float = 0, **kwargs: Any) -> None:
        """Run ``ledger.<command>(case_id, <current version>, actor, *args, at=<next moment>, **kwargs)``."""
        result: CommandResult = getattr(self.ledger, command)(
            case_id, self.versions[case_id], actor, *args, at=self.clock(days), **kwargs
        )
        self.versions[case_id] = result.version
        self.position = max(self.position, result.position or 0)
        self.after(case_id)
