"""The office a year of cases happens in, as the demo year and the benchmark's log both see it.

Its people (the clerk who registers, the supervisor who decides, the legality reviewer, the discipline
committee, a handler for each unit), the residents who come to it and the places they come about, its
working days and office hours (Asia/Shanghai), and the mix of what comes: the categories and channels
of each kind. What becomes of the cases of such a year is in :mod:`demo.plans`. The demo records the
year through the ledger's use cases (:mod:`demo.year`); the benchmark takes the same office's cases
through their aggregates, far faster (:mod:`bench.office_log`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from demo.text import COMPLAINTS, DISPUTES, GIVEN, GRID_CELLS, NEAR, ROADS, SURNAMES, VILLAGES, VIOLATIONS, grid_cell
from domain.actor import Actor, Role
from domain.kinds import Channel, ComplaintCategory
from domain.labels import Labelled
from domain.outcomes import DecisionType, ExecutionResult, PartyRole
from domain.time import SHANGHAI
from domain.values import Location, Party

T = TypeVar("T")

CLERK = Actor("demo.clerk", Role.CLERK, "综治中心受理窗口")
SUPERVISOR = Actor("demo.supervisor", Role.SUPERVISOR, "依法行政工作监督小组")
# The legality reviewer and hearing recorder: never one of the squad's officers (OFFICERS).
LEGAL = Actor("demo.legal_reviewer", Role.LEGAL_REVIEWER, "法制审核室")
DISCIPLINE = Actor("demo.discipline", Role.DISCIPLINE, "街道纪工委")
ADMIN = Actor("demo.admin", Role.ADMIN, "系统管理")
SECURITY = Actor("demo.security_admin", Role.SECURITY_ADMIN, "系统管理")

COMPLAINT_WEIGHTS = {c: row[0] for c, row in COMPLAINTS.items() if c is not ComplaintCategory.OTHER}
COMPLAINT_CHANNELS = {Channel.HOTLINE: 30, Channel.HOTLINE_12345: 25, Channel.MAILBOX: 12, Channel.WALK_IN: 15}
COMPLAINT_CHANNELS |= {Channel.ONLINE: 12, Channel.DEPUTY_REFERRAL: 6}
DISPUTE_WEIGHTS = {c: row[0] for c, row in DISPUTES.items()}
DISPUTE_CHANNELS = {Channel.APPLICATION: 45, Channel.SCREENING: 25, Channel.REFERRAL: 10, Channel.WALK_IN: 12}
DISPUTE_CHANNELS |= {Channel.HOTLINE: 8}
VIOLATION_WEIGHTS = {c: row[0] for c, row in VIOLATIONS.items()}
EXECUTION = {
    DecisionType.FINE: ExecutionResult.PAID,
    DecisionType.CONFISCATION: ExecutionResult.ENFORCED,
    DecisionType.ORDER_RECTIFY: ExecutionResult.RECTIFIED,
    DecisionType.ORDER_DEMOLISH: ExecutionResult.DEMOLISHED,
}
"""How each decision that needs executing is executed."""
OPEN, CLOSE = time(8, 30), time(17, 30)
"""The office's hours; a step is taken between its opening and eight hours later."""


def pick(rng: random.Random, weights: dict[T, int]) -> T:
    """One of ``weights``' keys, as likely as its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def handler(unit: str) -> Actor:
    """The handler who acts for ``unit``."""
    return Actor(f"demo-handler-{hashlib.sha256(unit.encode()).hexdigest()[:8]}", Role.HANDLER, unit)


class PastHorizon(Exception):
    """The next step would fall after the last moment the office's year is recorded up to."""


class Office:
    """The office over one random source: who comes to it, about where, and when its steps are taken.

    Its days run up to ``last_day`` and its moments up to ``horizon``: a step that would fall later
    raises :class:`PastHorizon`.
    """

    def __init__(
        self, rng: random.Random, is_working_day: Callable[[date], bool], last_day: date, horizon: datetime
    ) -> None:
        self.rng = rng
        self.is_working_day = is_working_day
        self.last_day = last_day
        self.horizon = horizon

    def later(self, after: datetime, lo: int, hi: int) -> datetime:
        """A moment ``lo``..``hi`` working days after ``after`` (0: later the same day), in office hours."""
        n = self.rng.randint(lo, hi)
        local = after.astimezone(SHANGHAI)
        if n == 0:
            moment = local + timedelta(minutes=self.rng.randint(10, 90))
            if moment.time() <= CLOSE:
                return self.within(moment)
            n = 1
        day = local.date()
        for _ in range(n):
            day = self.next_working_day(day)
        return self.office_moment(day)

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while day <= self.last_day and not self.is_working_day(day):
            day += timedelta(days=1)
        if day > self.last_day:
            raise PastHorizon
        return day

    def office_moment(self, day: date) -> datetime:
        """A moment in office hours of ``day``, in UTC."""
        return self.within(datetime.combine(day, OPEN, SHANGHAI) + timedelta(minutes=self.rng.randint(0, 480)))

    def within(self, moment: datetime) -> datetime:
        """``moment`` in UTC, if it is not past the horizon."""
        if moment > self.horizon:
            raise PastHorizon
        return moment.astimezone(UTC)

    def name(self, *avoid: str) -> str:
        """Someone's name, none of ``avoid``."""
        while (name := self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)) in avoid:
            pass
        return name

    def party(self, role: PartyRole, *avoid: str) -> Party:
        """A resident in ``role``, named none of ``avoid``, with a phone and a person id of their own."""
        name = self.name(*avoid)
        phone = f"1{self.rng.choice(('38', '39', '58', '59', '88'))}{self.rng.randint(0, 99999999):08d}"
        return Party(role, name, phone, party_id=f"{self.rng.getrandbits(128):032x}")

    def location(self, near: Labelled) -> Location:
        """Where a case of category ``near`` happens: the village it usually happens in, or any."""
        village = NEAR.get(near) or self.rng.choice(VILLAGES)
        address = f"{village}{self.rng.choice(ROADS)}{self.rng.randint(1, 188)}号"
        return Location(village, address, grid_cell=grid_cell(village, self.rng.randint(1, GRID_CELLS)))
