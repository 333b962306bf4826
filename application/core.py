"""The ledger's plumbing: one eventsourcing Application, loading, version checks, saving,
and the translation of library errors into the application's own."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    MapperDeserialisationError,
    Notification,
    OperationalError,
    ProgrammingError,
)
from eventsourcing.utils import Environment, TopicError, get_topic

from application.config import Settings
from application.errors import (
    Conflict,
    LogUnreadable,
    NotFound,
    StaleVersion,
    StoreNotInitialised,
    StoreUnavailable,
)
from application.permissions import authorize
from application.ports import Persistence
from application.topics import register_renamed_topics
from application.transcodings import register_domain_transcodings
from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.case import Case
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.errors import InvalidValue
from domain.labels import Labelled
from domain.rules import RuleTable
from domain.time import check_moment, local_date, now
from domain.values import Party

A = TypeVar("A", bound=Aggregate)

register_renamed_topics()

CASE_CLASSES: tuple[type[Case], ...] = (Complaint, Dispute, EnforcementCase)
LOG_PAGE = 1000


@dataclass(frozen=True)
class CommandResult:
    """What a command returns: the aggregate, its new version and the log position of its last event.

    ``retried``: the command was a retry (the same idempotency key and content) of one that created the
    aggregate; nothing was recorded, and ``position`` is where the aggregate was created.
    """

    id: UUID
    version: int
    position: int | None
    number: str = ""
    retried: bool = False


class LedgerCore(Application[UUID]):
    """Shared machinery of the use cases; :class:`application.ledger.CaseLedger` is the composition."""

    name = "CaseLedger"

    def __init__(
        self, settings: Settings, calendar: WorkingCalendar, rules: RuleTable, persistence: Persistence
    ) -> None:
        """The ledger on the store the bootstrap opened (:mod:`bootstrap.ledger` builds it)."""
        self.settings = settings
        self.calendar = calendar
        self.rules = rules
        self._persistence = persistence
        self.numbers = persistence.numbers
        self.token_activity = persistence.token_activity
        self.credentials = persistence.credentials
        self.identity_keys = persistence.identity_keys
        self.evidence = persistence.evidence
        self.positions = persistence.positions
        self.aggregate_order = persistence.aggregate_order
        self.notify_channel = persistence.notify_channel
        self.commits_in_log_order = persistence.commits_in_log_order
        super().__init__(env=persistence.factory.env)

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        """The factory the bootstrap opened (the library would build one from the environment)."""
        return self._persistence.factory

    def construct_recorder(self) -> ApplicationRecorder:
        """The recorder the bootstrap opened, whose tables are created by ``caseledger db init`` only."""
        return self._persistence.recorder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    # -- loading and saving ---------------------------------------------------------------

    def load(self, aggregate_class: type[A], aggregate_id: UUID, what: str, name: str | None = None) -> A:
        """The aggregate with this id, if it exists and is of the expected class; a refusal names it by
        ``name`` (what the caller typed, e.g. a username) when given, else by its id."""
        with _translated(aggregate_id):
            try:
                aggregate: Any = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(what, aggregate_id, name) from None
        if not isinstance(aggregate, aggregate_class):
            raise NotFound(what, aggregate_id, name)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        with _translated(aggregate_id):
            return aggregate_id in self.repository

    def commit(self, *aggregates: Aggregate) -> CommandResult:
        """Save the aggregates in one transaction; a concurrent change raises :class:`Conflict`."""
        first = aggregates[-1]
        with _translated(first.id):
            recordings = self.save(*aggregates)
        position = recordings[-1].notification.id if recordings else None
        return CommandResult(first.id, first.version, position, getattr(first, "number", ""))

    def retried(self, aggregate: Aggregate, number: str = "") -> CommandResult:
        """What a retry of the command that created ``aggregate`` answers: it as it stands, and the log
        position of its first event."""
        with _translated(aggregate.id):
            position = self.positions.position_of(aggregate.id, 1)
        return CommandResult(aggregate.id, aggregate.version, position, number, retried=True)

    def authorize(self, actor: Actor, action: str, record: Aggregate | None = None) -> None:
        """Refuse with :class:`Forbidden` what the permissions do not allow (see :func:`permissions.authorize`)."""
        if not isinstance(actor, Actor):
            raise InvalidValue("actor", "must be an actor", zh="应为操作人")
        authorize(actor, action, record)

    def update(
        self,
        aggregate_class: type[A],
        aggregate_id: UUID,
        expected_version: int,
        actor: Actor,
        action: str,
        change: Callable[[A, datetime], None],
        at: datetime | None,
        *,
        related: Callable[[], object] | None = None,
    ) -> CommandResult:
        """Authorise ``action``, load, authorise it on the aggregate, check the version it was decided
        against, apply ``change``, save.

        ``related`` loads (and checks) the other records the command names, such as a merge's target: only
        once the caller is authorised on this aggregate, so that whoever may not act on it cannot learn
        whether they exist.
        """
        if not isinstance(expected_version, int) or isinstance(expected_version, bool) or expected_version < 1:
            raise InvalidValue("expected_version", "must be a positive whole number", zh="应为正整数")
        self.authorize(actor, action)
        aggregate = self.load(aggregate_class, aggregate_id, _noun(aggregate_class))
        self.authorize(actor, action, aggregate)
        if related is not None:
            related()
        if aggregate.version != expected_version:
            raise StaleVersion(aggregate_id, expected_version, aggregate.version)
        change(aggregate, self.moment(at))
        return self.commit(aggregate)

    def moment(self, at: datetime | None) -> datetime:
        """When a command happened: now, or the given time if it is not in the future and its year has a
        working-day calendar."""
        if at is None:
            return now()
        return self.within_calendar(check_moment(at, None), "at")

    def within_calendar(self, moment: datetime, field: str) -> datetime:
        """``moment``, if the working-day calendar knows its year (time limits count working days)."""
        year = local_date(moment).year
        if year not in self.calendar.years:
            loaded = ", ".join(str(y) for y in sorted(self.calendar.years))
            raise InvalidValue(
                field,
                f"no working-day calendar for {year} (loaded: {loaded})",
                zh=f"没有 {year} 年的工作日历（已载入：{loaded}）",
            )
        return moment

    @contextmanager
    def store_calls(self) -> Iterator[None]:
        """The failures of the tables beside the log told as the application's own errors."""
        with _translated(None):
            yield

    def events_of(self, aggregate_id: UUID) -> Sequence[Any]:
        with _translated(aggregate_id):
            return list(self.events.get(aggregate_id))

    def created_ids(self, *classes: type[Aggregate], limit: int | None = None) -> list[UUID]:
        """The ids of the aggregates of these classes, oldest first (at most ``limit``).

        The store filters the log by the topics of the events that create them; for lists an
        administrator asks for, not for requests.
        """
        topics = [
            get_topic(value)
            for aggregate_class in classes
            for value in vars(aggregate_class).values()
            if isinstance(value, type) and issubclass(value, Aggregate.Created)
        ]
        found: list[UUID] = []
        position = 0
        with _translated(None):
            while limit is None or len(found) < limit:
                page = self.recorder.select_notifications(position, LOG_PAGE, topics=topics, inclusive_of_start=False)
                found += [UUID(str(n.originator_id)) for n in page]
                if len(page) < LOG_PAGE:
                    break
                position = page[-1].id
        return found[:limit]

    def scan_notifications(self, wanted: Callable[[Notification], bool]) -> Iterator[Notification]:
        """The notifications of the whole log that ``wanted`` keeps, in log order, read in pages."""
        position = 0
        while True:
            page = self.recorder.select_notifications(position, LOG_PAGE, inclusive_of_start=False)
            yield from (n for n in page if wanted(n))
            if len(page) < LOG_PAGE:
                return
            position = page[-1].id

    def log_position(self) -> int:
        """The newest notification id in the log (0 when empty)."""
        with _translated(None):
            return self.recorder.max_notification_id() or 0


def _noun(aggregate_class: type) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in aggregate_class.__name__).strip()


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable digest of a creating command's content, to tell a retry from a different command."""
    text = json.dumps(_canonical(payload), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, Labelled):
        return value.code
    if isinstance(value, Party) and value.role.is_protected:
        return {"role": value.role.code}  # a digest of a protected identity would outlive its erasure
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name != "party_id"}
        return _canonical(fields)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@contextmanager
def store_errors() -> Iterator[None]:
    """The store's failures told as the application's own errors, for callers outside the use cases
    (the command line, the projection runners)."""
    with _translated(None):
        yield


ROLE_HINT = "the database role lacks a privilege (see docs/audit.md, PostgreSQL roles)"


@contextmanager
def _translated(aggregate_id: UUID | None) -> Iterator[None]:
    try:
        yield
    except IntegrityError:
        if aggregate_id is None:
            raise
        raise Conflict(aggregate_id) from None
    except (OperationalError, InterfaceError) as error:
        if "no such table" in str(error):
            raise StoreNotInitialised(
                f"the event store is not initialised (run `caseledger db init`): {error}"
            ) from None
        raise StoreUnavailable(f"the event store cannot be reached: {' '.join(str(error).split())}") from None
    except (TopicError, MapperDeserialisationError) as error:
        raise LogUnreadable(f"a stored event cannot be read: {error}") from None
    except ProgrammingError as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        if first_line.startswith("permission denied"):
            raise StoreUnavailable(f"{ROLE_HINT}: {first_line}") from None
        raise StoreNotInitialised(
            f"the event store is not initialised (run `caseledger db init`): {first_line}"
        ) from None
