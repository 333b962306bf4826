"""The demo office's registers: every unit, place and category its year of cases names, registered first.

The office is the default one. Each entry's code is the value the cases record (a unit's or village's
name, a category's code), so the demo's cases name registered entries; each has been in force since
:data:`SINCE`, so any demo year finds them. The registrations are the same on every load: a load into a
store that holds them already registers nothing again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from application.core import CASE_CLASSES
from application.ledger import CaseLedger
from demo.office import ADMIN, DISCIPLINE, LEGAL, SUPERVISOR
from demo.plans import SPECIAL_RULINGS
from demo.text import (
    ASSIST,
    BUILDING,
    CITY,
    COMPLAINTS,
    GRID_CELLS,
    LOCAL,
    STREET_MEDIATION,
    VILLAGES,
    grid_cell,
    mediation_committee,
    village_committee,
)
from domain.kinds import GridLevel
from domain.registers.places import PlaceKind
from domain.registers.refs import DEFAULT_OFFICE, Register
from domain.registers.units import UnitKind
from domain.time import SHANGHAI

SINCE = datetime(2020, 1, 1, tzinfo=SHANGHAI)
REASON = "演示数据：街道机构设置"
_KINDS = {
    CITY: UnitKind.ENFORCEMENT_SQUAD,
    SUPERVISOR.unit: UnitKind.SUPERVISION_GROUP,
    LEGAL.unit: UnitKind.LEGALITY_REVIEW,
    DISCIPLINE.unit: UnitKind.DISCIPLINE_COMMITTEE,
}
"""The units of a kind of their own; the village committees are communities, every other unit a section."""


def demo_units(user_units: Iterable[str]) -> list[str]:
    """Every unit the demo names: cases' lead and assisting units, village and mediation committees, the
    units of rulings' cadres, and ``user_units`` (the demo users')."""
    leads = [unit for _, unit, _ in COMPLAINTS.values() if unit != LOCAL]
    villages = [committee(v) for v in VILLAGES for committee in (village_committee, mediation_committee)]
    named = [*leads, CITY, BUILDING, *(u for units in ASSIST.values() for u in units), STREET_MEDIATION, *villages]
    return list(dict.fromkeys([*named, *(plan.unit for plan in SPECIAL_RULINGS), ADMIN.unit, *user_units]))


def register_demo_office(ledger: CaseLedger, user_units: Iterable[str]) -> int:
    """Register the demo office's units (and ``user_units``), places and categories that are not yet
    registered, each register in one transaction; say how many entries were registered."""
    committees = {committee(v) for v in VILLAGES for committee in (village_committee, mediation_committee)}
    default = {True: UnitKind.COMMUNITY, False: UnitKind.SECTION}
    units = [_row(u, u, kind=_KINDS.get(u, default[u in committees]).code) for u in demo_units(user_units)]
    places = [
        _row(village, village, kind=(PlaceKind.COMMUNITY if village.endswith("社区") else PlaceKind.VILLAGE).code)
        for village in VILLAGES
    ]
    places += [
        _row(cell, cell, kind=PlaceKind.GRID_CELL.code, grid_level=GridLevel.STREET.code, parent=village)
        for village in VILLAGES
        for cell in (grid_cell(village, n) for n in range(1, GRID_CELLS + 1))
    ]
    batches: list[tuple[Register, list[dict[str, Any]]]] = [(Register.UNIT, units), (Register.PLACE, places)]
    batches += [(Register.for_kind(case.KIND), [_row(c.code, c.zh) for c in case.CATEGORY]) for case in CASE_CLASSES]
    registered = 0
    for register, rows in batches:
        registered += len(ledger.import_register(ADMIN, DEFAULT_OFFICE, register, rows).registered)
    return registered


def _row(code: str, name: str, **fields: str) -> dict[str, Any]:
    return {"code": code, "name": name, "reason": REASON, "active_from": SINCE, **fields}
