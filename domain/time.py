"""Time in the ledger: stored in UTC, reasoned about in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOCK_SKEW = timedelta(minutes=5)


def now() -> datetime:
    return datetime.now(UTC)


def require_aware(at: object, field: str = "at") -> datetime:
    """An aware datetime, converted to UTC; naive or non-datetime values are refused, and so are moments
    that fall outside the years 1 to 9999 in UTC or in Shanghai (they cannot be stored or reasoned about)."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValue(field, "must be a date-time with a time-zone offset", zh="应为带时区的日期时间")
    try:
        moment = at.astimezone(UTC)
        moment.astimezone(SHANGHAI)
    except OverflowError:
        raise InvalidValue(
            field,
            "must fall within the years 1 to 9999, in UTC and in China time",
            zh="应在公元 1 年至 9999 年之间（按协调世界时和北京时间）",
        ) from None
    return moment


def local_date(at: datetime) -> date:
    """The calendar day in Shanghai on which ``at`` falls."""
    return at.astimezone(SHANGHAI).date()


def check_moment(at: object, last: datetime | None) -> datetime:
    """When an action happened: aware, not in the future, not before the aggregate's last event."""
    moment = require_aware(at)
    if moment > now() + CLOCK_SKEW:
        raise InvalidValue("at", "must not be in the future", zh="不能晚于当前时间")
    if last is not None and moment < last:
        raise InvalidValue(
            "at",
            f"must not be earlier than the last recorded event ({last.isoformat()})",
            zh=f"不能早于已记录的上一事件（{last.isoformat()}）",
        )
    return moment
