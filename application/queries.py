"""Read one aggregate or its history as plain data (codes, ISO 8601 times, labels)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from application.core import LedgerCore
from application.errors import NotFound
from application.permissions import RECORD_READS, RecordKind, allowed, sight, without_free_text
from application.sealing import reveal_parties
from domain.actor import Actor
from domain.case import Case
from domain.clearing import Clearing
from domain.clocks import StageClock, derive_clocks, marks_from_events
from domain.errors import CalendarYearMissing
from domain.labels import Labelled
from domain.lifecycle import EventTable, Lifecycle, Transition, transitions_by_event
from domain.registers.entry import RegisterEntry
from domain.time import SHANGHAI, now
from domain.tolerance import ToleranceRuling
from domain.values import Party

R = TypeVar("R", bound=Case | ToleranceRuling | Clearing | RegisterEntry)
RECORD_NOUNS: dict[type, str] = {
    Case: "case",
    ToleranceRuling: "tolerated-error ruling",
    Clearing: "clearing",
    RegisterEntry: "register entry",
}

_HIDDEN = frozenset({"_id", "_version", "_created_on", "_modified_on", "_pending_events", "fingerprint", "filing_key"})


_CASE_FIELDS = ("id", "number", "version", "status", "category", "channel", "description", "location")
_CASE_FIELDS_TOO = ("filed_at", "last_at")


class Queries(LedgerCore):
    def view_case(self, actor: Actor, case_id: UUID) -> dict[str, Any]:
        """A case as ``actor`` may see it: protected identities only for those the law allows."""
        action = RECORD_READS[Case].state
        self.authorize(actor, action)
        case, events = self._case_and_events(case_id)
        self.authorize(actor, action, case)
        seen = sight(actor, case)
        view = self._case_view(case, events, seen.identities)
        return view if seen.free_text else without_free_text(view)

    def view_history(self, actor: Actor, kind: RecordKind, record_id: UUID) -> list[dict[str, Any]]:
        """Every event of a case, ruling, clearing or register entry of ``kind``, as ``actor`` may see it.

        A record of another kind (an account, a ruling through a case's route) is not found.
        """
        action = RECORD_READS[kind].history
        self.authorize(actor, action)
        record, events = self._record_and_events(kind, record_id)
        self.authorize(actor, action, record)
        seen = sight(actor, record)
        table = _transitions(type(record)) if isinstance(record, Lifecycle) else None
        described = [describe_event(e, seen.identities, self._revealed, table) for e in events]
        return described if seen.free_text else without_free_text(described)

    def view_open_actions(
        self, actor: Actor, kind: type[Case | ToleranceRuling | Clearing], record_id: UUID, use_cases: Mapping[str, str]
    ) -> list[str]:
        """Of the transitions of ``use_cases`` (each with the use case that performs it), those ``actor`` may
        take on the record now: its status allows them, and so do the permissions for the role and the
        record (a handler only on a case of their unit). Other rules of an action still apply when it is
        taken; this is what a page offers."""
        action = RECORD_READS[kind].state
        self.authorize(actor, action)
        record, _ = self._record_and_events(kind, record_id)
        self.authorize(actor, action, record)
        return [t for t, use_case in use_cases.items() if record.allows(t) and allowed(actor, use_case, record)]

    def view_record(self, actor: Actor, kind: type[ToleranceRuling | Clearing], record_id: UUID) -> dict[str, Any]:
        """A tolerated-error ruling or a clearing, of ``kind`` (discipline only)."""
        action = RECORD_READS[kind].state
        self.authorize(actor, action)
        record, _ = self._record_and_events(kind, record_id)
        self.authorize(actor, action, record)
        state: dict[str, Any] = plain(_state(record))
        return {"id": state.pop("id"), "version": state.pop("version"), "status": state.pop("status"), "state": state}

    def _revealed(self, parties: list[Party]) -> list[Party]:
        return reveal_parties(self, parties)

    def _case_and_events(self, case_id: UUID) -> tuple[Case, Sequence[Any]]:
        return self._record_and_events(Case, case_id)

    def _record_and_events(self, kind: type[R], record_id: UUID) -> tuple[R, Sequence[Any]]:
        """The record of ``kind`` with this id and its events; any other aggregate is not found."""
        events = self.events_of(record_id)
        record = _replay(events) if events else None
        if not isinstance(record, kind):
            raise NotFound(RECORD_NOUNS[kind], record_id)
        return record, events

    def _clocks(self, case: Case, events: Sequence[Any]) -> list[StageClock]:
        """Every statutory clock of the case, running or stopped, as it stands now."""
        marks = marks_from_events(case.KIND, events)
        return derive_clocks(case.KIND, case.category.code, marks, self.rules, self.calendar, now())

    def _case_view(self, case: Case, events: Sequence[Any], include_identities: bool) -> dict[str, Any]:
        state: dict[str, Any] = plain(_state(case))
        view = {name: state.pop(name) for name in (*_CASE_FIELDS, *_CASE_FIELDS_TOO)}
        state.pop("parties")
        view["kind"] = plain(case.KIND)
        view["open"] = case.is_open
        parties = self._revealed(case.parties) if include_identities else case.parties
        view["parties"] = [party_view(p, include_identities) for p in parties]
        try:
            view["clocks"] = [clock_view(c) for c in self._clocks(case, events)]
        except CalendarYearMissing as error:
            view["clocks"] = []
            state["clocks_unavailable"] = str(error)
        view["state"] = state
        return view


@functools.cache
def _transitions(record: type[Lifecycle]) -> EventTable[Transition]:
    return transitions_by_event(record.LIFECYCLE)


def _replay(events: Sequence[Any]) -> Any:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def describe_event(
    event: Any,
    include_identities: bool,
    reveal: Callable[[list[Party]], list[Party]] = list,
    transitions: EventTable[Transition] | None = None,
) -> dict[str, Any]:
    """An event as plain data; with its record's ``transitions``, also the action it records, in words."""
    fields = {
        k: v
        for k, v in vars(event).items()
        if k not in ("originator_id", "originator_version", "timestamp", "originator_topic", "actor", "at")
    }
    if "parties" in fields and fields["parties"] and isinstance(fields["parties"][0], Party):
        parties = reveal(fields["parties"]) if include_identities else fields["parties"]
        fields["parties"] = [party_view(p, include_identities) for p in parties]
    described = {
        "version": event.originator_version,
        "type": type(event).__name__,
        "recorded_at": plain(event.timestamp),
        "at": plain(getattr(event, "at", event.timestamp)),
        "actor": plain(getattr(event, "actor", None)),
        "data": plain(fields),
    }
    transition = None if transitions is None else transitions.get(event)
    if transition is not None:
        described["action"] = {"zh": transition.zh, "en": transition.en}
    return described


def clock_view(clock: StageClock) -> dict[str, Any]:
    """A clock as plain data, with its rule's limit, unit and legal basis."""
    view: dict[str, Any] = plain(clock)
    view["rule"] = {
        "days": clock.rule.days,
        "unit": plain(clock.rule.unit),
        "basis": clock.rule.basis,
        "pauses": [plain(p) for p in sorted(clock.rule.pauses, key=lambda p: p.code)],
        "extension_cap": clock.rule.extension_cap,
    }
    view["running"] = clock.running
    return view


def party_view(party: Party, include_identities: bool) -> dict[str, Any]:
    """A party, with a protected identity masked unless the reader may see it."""
    view: dict[str, Any] = plain(party)
    if party.role.is_protected and not include_identities:
        view.update(name="***", phone="", id_number="", protected=True)
    return view


def plain(value: Any) -> Any:
    """JSON-ready data: enums as {code, zh, en}, times as ISO 8601 with offset (Shanghai)."""
    if isinstance(value, Labelled):
        return {"code": value.code, "zh": value.zh, "en": value.en}
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def _state(aggregate: Any) -> dict[str, Any]:
    state = {k: v for k, v in vars(aggregate).items() if k not in _HIDDEN}
    state["id"] = aggregate.id
    state["version"] = aggregate.version
    state["created_on"] = aggregate.created_on
    state["modified_on"] = aggregate.modified_on
    return state
