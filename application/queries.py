"""Read one aggregate or its history as plain data (codes, ISO 8601 times, labels)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.core import LedgerCore
from domain.case import Case
from domain.clearing import Clearing
from domain.clocks import StageClock, derive_clocks, marks_from_events
from domain.labels import Labelled
from domain.time import SHANGHAI, now
from domain.tolerance import ToleranceRuling
from domain.values import Party

_HIDDEN = frozenset({"_id", "_version", "_created_on", "_modified_on", "_pending_events", "fingerprint", "filing_key"})


class Queries(LedgerCore):
    def get_case(self, case_id: UUID, *, include_identities: bool = False) -> dict[str, Any]:
        """A case's current state; protected identities only when ``include_identities``."""
        case = self.load(Case, case_id, "case")
        data: dict[str, Any] = plain(_state(case))
        data["kind"] = plain(case.KIND)
        data["parties"] = [party_view(p, include_identities) for p in case.parties]
        data["open"] = case.is_open
        data["clocks"] = [clock_view(c) for c in self.clocks(case_id)]
        return data

    def clocks(self, case_id: UUID, *, as_of: datetime | None = None) -> list[StageClock]:
        """Every statutory clock of the case, running or stopped, as it stands at ``as_of`` (now)."""
        case = self.load(Case, case_id, "case")
        marks = marks_from_events(case.KIND, self.events_of(case_id))
        return derive_clocks(case.KIND, case.category.code, marks, self.rules, self.calendar, as_of or now())

    def get_ruling(self, ruling_id: UUID) -> dict[str, Any]:
        ruling: dict[str, Any] = plain(_state(self.load(ToleranceRuling, ruling_id, "tolerated-error ruling")))
        return ruling

    def get_clearing(self, clearing_id: UUID) -> dict[str, Any]:
        clearing: dict[str, Any] = plain(_state(self.load(Clearing, clearing_id, "clearing")))
        return clearing

    def history(self, aggregate_id: UUID, *, include_identities: bool = False) -> list[dict[str, Any]]:
        """Every event of an aggregate, oldest first: who, when, what and why."""
        self.load(Case | ToleranceRuling | Clearing, aggregate_id, "record")  # type: ignore[arg-type]
        return [describe_event(e, include_identities) for e in self.events_of(aggregate_id)]


def describe_event(event: Any, include_identities: bool) -> dict[str, Any]:
    fields = {
        k: v
        for k, v in vars(event).items()
        if k not in ("originator_id", "originator_version", "timestamp", "originator_topic", "actor", "at")
    }
    if "parties" in fields and fields["parties"] and isinstance(fields["parties"][0], Party):
        fields["parties"] = [party_view(p, include_identities) for p in fields["parties"]]
    return {
        "version": event.originator_version,
        "type": type(event).__name__,
        "recorded_at": plain(event.timestamp),
        "at": plain(getattr(event, "at", event.timestamp)),
        "actor": plain(getattr(event, "actor", None)),
        "data": plain(fields),
    }


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
