"""Builders shared by the tests: actors, locations, parties and a clock that only moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.actor import Actor, Role
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.kinds import Channel, ComplaintCategory, DisputeType, ViolationType
from domain.outcomes import PartyRole
from domain.values import Location, Party

CLERK = Actor("clerk-1", Role.CLERK, "受理窗口")
SUPERVISOR = Actor("sup-1", Role.SUPERVISOR, "依法行政工作监督小组")
HANDLER = Actor("handler-1", Role.HANDLER, "城管执法中队")
REVIEWER = Actor("legal-1", Role.LEGAL_REVIEWER, "法制审核室")
DISCIPLINE = Actor("disc-1", Role.DISCIPLINE, "纪工委")
FINE = Decimal("2000.00")
HASH = "a" * 64


class Clock:
    """Hands out strictly increasing moments, starting from a fixed past instant."""

    def __init__(self, start: datetime = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)) -> None:
        self.moment = start

    def __call__(self, days: float = 0) -> datetime:
        self.moment += timedelta(days=days, minutes=1)
        return self.moment


def location() -> Location:
    return Location(village="东湖村", address="东湖村三组12号", grid_cell="DH-03")


def complainant() -> Party:
    return Party(PartyRole.COMPLAINANT, "王秀兰", "13800000000", "330000199001010000")


def new_complaint(clock: Clock, key: str = "c-1") -> Complaint:
    return Complaint(
        number="TS-2025-000001",
        filing_key=key,
        category=ComplaintCategory.ROAD_OCCUPATION,
        channel=Channel.HOTLINE,
        location=location(),
        description="早餐摊点占用人行道经营",
        parties=[complainant()],
        anonymous=False,
        fingerprint="f",
        actor=CLERK,
        at=clock(),
    )


def new_dispute(clock: Clock, key: str = "d-1") -> Dispute:
    return Dispute(
        number="JF-2025-000001",
        filing_key=key,
        category=DisputeType.AQUACULTURE_POND,
        channel=Channel.APPLICATION,
        location=location(),
        description="养殖塘排水纠纷",
        parties=[Party(PartyRole.APPLICANT, "李建国"), Party(PartyRole.RESPONDENT, "赵国强")],
        fingerprint="f",
        actor=CLERK,
        at=clock(),
    )


def new_enforcement(clock: Clock, key: str = "e-1") -> EnforcementCase:
    return EnforcementCase(
        number="ZF-2025-000001",
        filing_key=key,
        category=ViolationType.ILLEGAL_CONSTRUCTION,
        channel=Channel.PATROL,
        location=location(),
        description="网格巡查发现未经批准搭建彩钢棚",
        parties=[Party(PartyRole.PARTY, "某建材店")],
        grid_level=None,
        fingerprint="f",
        actor=HANDLER,
        at=clock(),
    )
