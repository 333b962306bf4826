"""Register entries as the API and the command line show them, and the filter their lists are read through.

Registers are small (an office has tens of units and places, a kind of case tens of categories), so a list
is every entry of the register read from the log, filtered and paged here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application.queries import plain
from domain.registers.categories import Category
from domain.registers.entry import RegisterEntry
from domain.registers.places import Place
from domain.registers.units import Unit
from domain.time import now, require_aware


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a list shows; every field narrows it, ``None`` leaves it open.

    ``in_force_at``: only entries in force at that moment; ``parent``: only those under that code at that
    moment (now if not given); ``kind``: a unit's or place's kind code; ``text``: a case-insensitive part
    of the code or of any name the entry has had (a renamed unit is found by its old name too).
    """

    in_force_at: datetime | None = None
    parent: str | None = None
    kind: str | None = None
    text: str | None = None

    def selects(self, entry: RegisterEntry) -> bool:
        moment = None if self.in_force_at is None else require_aware(self.in_force_at, "in_force_at")
        if moment is not None and not entry.active_at(moment):
            return False
        if self.parent is not None and entry.parent_at(moment or now()) != self.parent:
            return False
        if self.kind is not None and not (isinstance(entry, Unit | Place) and entry.kind.code == self.kind):
            return False
        if self.text:
            needle = self.text.casefold()
            return any(needle in text.casefold() for text in (entry.code, *(name for _, name in entry.names)))
        return True


def entry_view(entry: RegisterEntry, at: datetime | None = None) -> dict[str, Any]:
    """An entry as plain data: what it is now, whether it is in force at ``at`` (now by default), and its
    history of names, parents and, for a category, time limits, each with the moment it took effect."""
    moment = at or now()
    view: dict[str, Any] = {
        "office": entry.office,
        "register": plain(entry.register),
        "code": entry.code,
        "name": entry.name,
        "parent": entry.parent,
        "active_from": plain(entry.active_from),
        "active_to": plain(entry.active_to),
        "merged_into": entry.merged_into,
        "in_force": entry.active_at(moment),
        "version": entry.version,
        "names": [{"since": plain(since), "name": name} for since, name in entry.names],
        "parents": [{"since": plain(since), "parent": parent} for since, parent in entry.parents],
    }
    if isinstance(entry, Unit | Place):
        view["kind"] = plain(entry.kind)
    if isinstance(entry, Place):
        view["grid_level"] = plain(entry.grid_level)
    if isinstance(entry, Category):
        view["limits"] = plain(entry.limits)
        view["limit_history"] = [
            {"since": plain(since), "limits": plain(limits)} for since, limits in entry.limit_history
        ]
    return view
