"""Work queues: what each role opens in the morning, as filtered, sorted and paged views.

A case queue is a query over the case index (:mod:`projections.case_index`), never a table of
its own: a queue's condition, plus the caller's filters (kind, category, village, unit,
channel), sorted by the earliest running deadline (none last), then number. The queues:

- ``intake``: registered complaints, dispute applications and enforcement clues not yet
  accepted, refused, answered or filed (a complaint's deadline is the one to decide acceptance);
- ``dispatch``: complaints accepted, returned by a unit or reopened, and so waiting to be
  dispatched to a unit, and accepted disputes waiting for a mediator (after a recusal too);
- ``my_unit``: open cases the unit handles, as lead or assisting unit (the unit is required);
- ``mediation``: disputes with a mediator: assigned, investigated, or in mediation sessions;
- ``legality_review``: enforcement cases under legality review (法制审核);
- ``hearings``: enforcement cases whose party asked for a hearing not yet held;
- ``follow_up``: complaints replied to or answered directly, unless anonymous (there is nobody
  to visit), and disputes whose performance was checked or whose mediation ended: each waits
  for its follow-up visit (回访);
- ``overdue`` / ``due_soon``: open cases whose earliest running deadline has passed / falls
  within the next two working days, as of the day asked about;
- ``supervised``: open cases under supervision (督办);
- ``rulings_pending``: tolerated-error rulings not yet ruled (requested, accepted, verified or
  deliberated), and appealed rulings no new ruling reviews yet. They come from
  :class:`RulingIndex`, sorted by the day requested; only the ``unit`` filter (the cadre's
  unit) applies to them.

No item carries a party's or cadre's identity: the index holds none. A case's description is
free text that may name people, so the caller says whether the reader may see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.complaint import ComplaintStatus
from domain.dispute import DisputeStatus
from domain.enforcement import EnforcementStatus
from domain.errors import InvalidValue
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.lifecycle import status_after, transitions_by_event
from domain.time import SHANGHAI, local_date
from domain.tolerance import RulingOutcome, RulingStatus, ToleranceRuling
from projections.base import Projection
from projections.case_index import CaseIndex
from projections.case_listing import MAX_PER_PAGE, CaseFilter, Page, fetch_page, item, where_clause
from projections.case_row import parse_utc, utc_text
from projections.store import Cursor, ReadStore

__all__ = ["QUEUES", "Queue", "QueueFilter", "RulingIndex", "WorkQueues"]

CS, DS, ES, RS = ComplaintStatus, DisputeStatus, EnforcementStatus, RulingStatus
COMPLAINT, DISPUTE, ENFORCEMENT = CaseKind.COMPLAINT, CaseKind.DISPUTE, CaseKind.ENFORCEMENT


@dataclass(frozen=True)
class Queue:
    """One queue: its code and labels, and the cases (or rulings) it holds.

    ``statuses`` are the (kind, status) pairs a case must be in; ``fixed`` narrows the case
    index further with :class:`~projections.case_listing.CaseFilter` fields.
    """

    code: str
    zh: str
    en: str
    statuses: tuple[tuple[CaseKind, Labelled], ...] = ()
    fixed: tuple[tuple[str, Any], ...] = ()
    needs_unit: bool = False
    visits_only: bool = False
    rulings: bool = False

    @property
    def label(self) -> dict[str, str]:
        """The queue's code with its Chinese and English names."""
        return {"code": self.code, "zh": self.zh, "en": self.en}


QUEUES: dict[str, Queue] = {
    q.code: q
    for q in (
        Queue(
            "intake",
            "待受理",
            "Intake",
            statuses=((COMPLAINT, CS.REGISTERED), (DISPUTE, DS.APPLIED), (ENFORCEMENT, ES.CLUE)),
        ),
        Queue(
            "dispatch",
            "待交办",
            "Awaiting dispatch",
            statuses=(
                (COMPLAINT, CS.ACCEPTED),
                (COMPLAINT, CS.RETURNED),
                (COMPLAINT, CS.REOPENED),
                (DISPUTE, DS.ACCEPTED),
            ),
        ),
        Queue("my_unit", "本单位在办", "My unit's open cases", fixed=(("open", True),), needs_unit=True),
        Queue(
            "mediation",
            "调解中",
            "In mediation",
            statuses=((DISPUTE, DS.MEDIATOR_ASSIGNED), (DISPUTE, DS.INVESTIGATED), (DISPUTE, DS.MEDIATING)),
        ),
        Queue("legality_review", "待法制审核", "Awaiting legality review", statuses=((ENFORCEMENT, ES.UNDER_REVIEW),)),
        Queue("hearings", "待听证", "Hearings to hold", statuses=((ENFORCEMENT, ES.HEARING_REQUESTED),)),
        Queue(
            "follow_up",
            "待回访",
            "Follow-up visits due",
            statuses=(
                (COMPLAINT, CS.REPLIED),
                (COMPLAINT, CS.ANSWERED),
                (DISPUTE, DS.PERFORMANCE_CHECKED),
                (DISPUTE, DS.ENDED),
            ),
            visits_only=True,
        ),
        Queue("rulings_pending", "待认定容错免责", "Tolerated-error rulings pending", rulings=True),
        Queue("overdue", "已超期", "Overdue", fixed=(("open", True), ("clock", "overdue"))),
        Queue("due_soon", "即将到期", "Due soon", fixed=(("open", True), ("clock", "due_soon"))),
        Queue("supervised", "督办件", "Supervised", fixed=(("open", True), ("supervised", True))),
    )
}

RULING_PENDING_STATUSES = tuple(s for s in RS if s not in ToleranceRuling.TERMINAL)
"""The statuses of a ruling not yet ruled: the open ones."""


@dataclass(frozen=True)
class QueueFilter:
    """What narrows a queue; ``None`` leaves it open. Codes are the domain's enum codes."""

    kind: str | None = None
    category: str | None = None
    village: str | None = None
    unit: str | None = None
    channel: str | None = None


class WorkQueues:
    """Reads the queues from the case index and the ruling index."""

    def __init__(self, case_index: CaseIndex, rulings: RulingIndex) -> None:
        self.case_index = case_index
        self.rulings = rulings

    def page(
        self,
        name: str,
        filters: QueueFilter | None = None,
        page: int = 1,
        per_page: int = 20,
        *,
        as_of: datetime | None = None,
        with_description: bool = False,
    ) -> Page:
        """One page of the queue ``name``; clock statuses (and the overdue and due-soon queues) as of ``as_of``.

        ``with_description`` says whether the reader may see each case's free-text description.
        """
        queue = QUEUES.get(name)
        if queue is None:
            raise InvalidValue(
                "name",
                f"unknown queue {name!r}; expected one of: {', '.join(QUEUES)}",
                zh=f"没有队列 {name!r}，可选：{'、'.join(QUEUES)}",
            )
        _check_page(page, per_page)
        chosen = filters or QueueFilter()
        if queue.rulings:
            return self.rulings.pending(chosen, page, per_page)
        if queue.needs_unit and not chosen.unit:
            raise InvalidValue("unit", f"the {queue.code} queue needs a unit", zh=f"「{queue.zh}」队列需要指定单位")
        today, due_soon_until = self.case_index.today(as_of)
        case_filter = replace(
            CaseFilter(
                kind=chosen.kind,
                category=chosen.category,
                village=chosen.village,
                unit=chosen.unit,
                channel=chosen.channel,
            ),
            **dict(queue.fixed),
        )
        where, params = where_clause(case_filter, today, due_soon_until)
        clauses, extra = _queue_clauses(queue)
        if clauses:
            where = f"{where} AND {clauses}" if where else f" WHERE {clauses}"
            params = [*params, *extra]
        with self.case_index.store.transaction(readonly=True) as cursor:
            rows, total = fetch_page(cursor, where, params, page, per_page)
        items = [item(row, today, due_soon_until) for row in rows]
        if not with_description:
            for listed in items:
                del listed["description"]
        return Page(items, total, page, per_page)


def _queue_clauses(queue: Queue) -> tuple[str, list[Any]]:
    """The queue's own condition over ``case_index c``, and its parameters."""
    if not queue.statuses:
        return "", []
    pairs = " OR ".join("(c.kind = %s AND c.status = %s)" for _ in queue.statuses)
    params: list[Any] = [value for kind, status in queue.statuses for value in (kind.code, status.code)]
    clause = f"({pairs})"
    if queue.visits_only:
        clause = f"{clause} AND c.anonymous = 0"
    return clause, params


def _check_page(page: object, per_page: object) -> None:
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise InvalidValue("page", "must be a whole number from 1", zh="应为不小于 1 的整数")
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidValue(
            "per_page", f"must be a whole number from 1 to {MAX_PER_PAGE}", zh=f"应为 1 至 {MAX_PER_PAGE} 的整数"
        )


# -- the ruling index ---------------------------------------------------------------------------

_RULINGS = transitions_by_event(ToleranceRuling.LIFECYCLE)
_RULING_COLUMNS = "r.id, r.status, r.unit, r.requested_at, r.supersedes, r.outcome, r.last_at"


class RulingIndex(Projection):
    """One row per tolerated-error ruling: its status, the cadre's unit and dates, never the cadre."""

    name = "ruling_index"
    create_statements = (
        "CREATE TABLE IF NOT EXISTS ruling_index ("
        " id text PRIMARY KEY, status text NOT NULL, unit text NOT NULL, requested_at text NOT NULL,"
        " requested_on text NOT NULL, supersedes text, reviewed_by text, outcome text, last_at text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS ruling_index_by_status ON ruling_index (status, requested_at)",
    )
    drop_statements = ("DROP TABLE IF EXISTS ruling_index",)

    def __init__(self, store: ReadStore) -> None:
        self.store = store

    def apply(self, cursor: Cursor, domain_event: Any, position: int) -> None:
        if isinstance(domain_event, ToleranceRuling.Event):
            self._record(cursor, domain_event)

    def _record(self, cursor: Cursor, domain_event: Any) -> None:
        status = status_after(_RULINGS, domain_event)
        if status is None:
            return
        ruling_id, at = str(domain_event.originator_id), utc_text(domain_event.at)
        if isinstance(domain_event, ToleranceRuling.Requested):
            supersedes = None if domain_event.supersedes is None else str(domain_event.supersedes)
            cursor.execute(
                "INSERT INTO ruling_index (id, status, unit, requested_at, requested_on, supersedes, last_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                (
                    ruling_id,
                    status.code,
                    domain_event.unit,
                    at,
                    local_date(domain_event.at).isoformat(),
                    supersedes,
                    at,
                ),
            )
            if supersedes is not None:
                cursor.execute("UPDATE ruling_index SET reviewed_by = %s WHERE id = %s", (ruling_id, supersedes))
            return
        outcome = _code(domain_event.outcome) if isinstance(domain_event, ToleranceRuling.Ruled) else None
        cursor.execute(
            "UPDATE ruling_index SET status = %s, outcome = coalesce(%s, outcome), last_at = %s WHERE id = %s",
            (status.code, outcome, at, ruling_id),
        )

    def pending(self, filters: QueueFilter, page: int, per_page: int) -> Page:
        """One page of the rulings still to be ruled, oldest request first."""
        for field in ("kind", "category", "village", "channel"):
            if getattr(filters, field) is not None:
                raise InvalidValue(
                    field,
                    "does not apply to tolerated-error rulings; filter them by unit",
                    zh="不适用于容错免责认定，请按单位筛选",
                )
        open_codes = [s.code for s in RULING_PENDING_STATUSES]
        marks = ", ".join("%s" for _ in open_codes)
        where = f" WHERE (r.status IN ({marks}) OR (r.status = %s AND r.reviewed_by IS NULL))"
        params: list[Any] = [*open_codes, RS.APPEALED.code]
        if filters.unit is not None:
            where += " AND r.unit = %s"
            params.append(filters.unit)
        with self.store.transaction(readonly=True) as cursor:
            cursor.execute(f"SELECT count(*) FROM ruling_index r{where}", params)
            counted = cursor.fetchone()
            cursor.execute(
                f"SELECT {_RULING_COLUMNS} FROM ruling_index r{where} ORDER BY r.requested_at, r.id LIMIT %s OFFSET %s",
                [*params, per_page, (page - 1) * per_page],
            )
            rows = cursor.fetchall()
        return Page([_ruling_item(row) for row in rows], 0 if counted is None else int(counted[0]), page, per_page)


def _ruling_item(row: Sequence[Any]) -> dict[str, Any]:
    ruling_id, status, unit, requested_at, supersedes, outcome, last_at = row
    return {
        "id": ruling_id,
        "kind": {"code": "ruling", "zh": "容错免责认定", "en": "Tolerated-error ruling"},
        "status": _label(RS.parse(status, "status")),
        "unit": unit,
        "requested_at": parse_utc(requested_at).astimezone(SHANGHAI).isoformat(),
        "last_at": parse_utc(last_at).astimezone(SHANGHAI).isoformat(),
        "reviews": supersedes,
        "outcome": None if outcome is None else _label(RulingOutcome.parse(outcome, "outcome")),
    }


def _label(member: Labelled) -> dict[str, str]:
    return {"code": member.code, "zh": member.zh, "en": member.en}


def _code(value: Any) -> str:
    return value.code if isinstance(value, Labelled) else str(value)
