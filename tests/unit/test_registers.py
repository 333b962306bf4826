"""The registers' rules: codes and ids, names and parents as of a moment, ends, trees and time limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from domain.actor import Actor, Role
from domain.calendar import CalendarYear, WorkingCalendar
from domain.errors import InvalidValue, RuleViolation
from domain.kinds import CaseKind, GridLevel
from domain.registers.categories import Category, TimeLimit, checked_limits, longest_span
from domain.registers.entry import Opening, RegisterEntry
from domain.registers.offices import Office
from domain.registers.places import Place, PlaceKind
from domain.registers.refs import EntryRef, NotInRegister, Register, entry_id_for, require_code
from domain.registers.units import Unit, UnitKind
from domain.rules import DayUnit, Stage
from tests.support import Clock

ADMIN = Actor("admin-1", Role.ADMIN, "党政办")
CALENDAR = WorkingCalendar.default()


def opening(
    clock: Clock, code: str, *, office: str = "default", name: str = "", active_from: datetime | None = None
) -> Opening:
    return Opening.of(
        office=office,
        code=code,
        name=name or f"{code} 名称",
        active_from=active_from,
        reason="新设",
        fingerprint="f",
        actor=ADMIN,
        at=clock(),
    )


def unit(
    clock: Clock,
    code: str = "cgzd",
    *,
    office: str = "default",
    lineage: Sequence[RegisterEntry] = (),
    active_from: datetime | None = None,
) -> Unit:
    return Unit.add(
        opening(clock, code, office=office, active_from=active_from), kind=UnitKind.SECTION, lineage=lineage
    )


def place(
    clock: Clock, code: str, kind: PlaceKind, level: GridLevel | None = None, lineage: Sequence[RegisterEntry] = ()
) -> Place:
    return Place.add(opening(clock, code), kind=kind, grid_level=level, lineage=lineage)


def category(
    clock: Clock,
    limits: Sequence[TimeLimit] = (),
    *,
    kind: CaseKind = CaseKind.COMPLAINT,
    code: str = "consult",
    lineage: Sequence[RegisterEntry] = (),
) -> Category:
    return Category.add(opening(clock, code, name="咨询"), kind=kind, lineage=lineage, limits=limits, calendar=CALENDAR)


def refusal(rule: str) -> pytest.RaisesExc[RuleViolation]:
    return pytest.raises(RuleViolation, match=rf"^\[{rule}\]")


# -- codes and ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", " cgzd", "cg zd", "a/b", "a\tb", "x" * 65, 7])
def test_a_code_is_exact_text_without_white_space_or_slash(code: object) -> None:
    with pytest.raises(InvalidValue) as error:
        require_code(code, "code")
    assert error.value.field == "code"


def test_a_code_names_one_entry_forever_per_office_and_register() -> None:
    clock = Clock()
    entry = unit(clock, "城管执法中队")
    assert entry.id == entry_id_for("default", Register.UNIT, "城管执法中队") == entry.ref.id
    assert entry.id == EntryRef("default", Register.UNIT, "城管执法中队").id
    others = {
        entry_id_for("east", Register.UNIT, "城管执法中队"),
        entry_id_for("default", Register.PLACE, "城管执法中队"),
        entry_id_for("default", Register.UNIT, "城管执法中队2"),
    }
    assert entry.id not in others and len(others) == 3


def test_categories_of_each_kind_are_a_register_of_their_own() -> None:
    clock = Clock()
    complaint = category(clock, kind=CaseKind.COMPLAINT, code="environment")
    dispute = category(clock, kind=CaseKind.DISPUTE, code="environment")
    assert complaint.register is Register.COMPLAINT_CATEGORY and dispute.register is Register.DISPUTE_CATEGORY
    assert complaint.id != dispute.id
    assert Register.for_kind(CaseKind.ENFORCEMENT) is Register.ENFORCEMENT_CATEGORY
    with pytest.raises(InvalidValue) as error:
        unit(clock).move(ADMIN, clock(), [dispute], "上级错误")
    assert error.value.field == "parent"


def test_an_office_is_its_own_office_and_has_no_parent() -> None:
    clock = Clock()
    office = Office.add(opening(clock, "donghu", office="donghu", name="东湖街道"))
    assert office.office == office.code == "donghu"
    assert office.id == entry_id_for("donghu", Register.OFFICE, "donghu")
    with pytest.raises(InvalidValue) as error:
        Office.add(opening(clock, "xihu", office="donghu"))
    assert error.value.field == "office"
    with pytest.raises(InvalidValue) as error:
        office.move(ADMIN, clock(), [unit(clock, office="donghu")], "无")
    assert error.value.field == "parent"


def test_every_registration_names_its_reason_and_a_name() -> None:
    clock = Clock()
    with pytest.raises(InvalidValue) as error:
        opening(clock, "u", name="  ")
    assert error.value.field == "name"
    with pytest.raises(InvalidValue) as error:
        Opening.of(
            office="default",
            code="u",
            name="单位",
            active_from=None,
            reason=" ",
            fingerprint="f",
            actor=ADMIN,
            at=clock(),
        )
    assert error.value.field == "reason"
    with pytest.raises(InvalidValue) as error:
        Unit.add(opening(clock, "u"), kind="nonsense", lineage=())  # type: ignore[arg-type]
    assert error.value.field == "kind"
    entry = unit(clock)
    with pytest.raises(InvalidValue) as error:
        entry.rename(ADMIN, clock(), "新名称", " ")
    assert error.value.field == "reason"


def test_every_change_is_an_event_with_its_actor_and_reason() -> None:
    clock = Clock()
    entry = unit(clock)
    entry.rename(ADMIN, clock(), "综合行政执法队", "机构改革更名")
    entry.retire(ADMIN, clock(), "撤销", None, [])
    events: Sequence[Any] = entry.collect_events()
    assert [type(e).__name__ for e in events] == ["Registered", "Renamed", "Retired"]
    assert all(e.actor == ADMIN and e.reason for e in events)


def test_a_retry_of_the_registration_is_told_from_another_under_the_same_code() -> None:
    entry = unit(Clock())
    entry.check_retry("f")
    with refusal("unit.register.code_taken"):
        entry.check_retry("other")


# -- as of a moment --------------------------------------------------------------------------


def test_a_renamed_entry_keeps_its_code_and_answers_each_moment_with_the_name_then() -> None:
    clock = Clock()
    entry = unit(clock)
    before, first = clock(), entry.name
    renamed_at = clock()
    entry.rename(ADMIN, renamed_at, "综合行政执法队", "机构改革更名")
    assert entry.code == "cgzd" and entry.name == "综合行政执法队"
    assert entry.name_at(before) == first and entry.name_at(renamed_at) == "综合行政执法队"
    assert entry.name_at(renamed_at - timedelta(days=3650)) == first
    with refusal("unit.rename.unchanged"):
        entry.rename(ADMIN, clock(), "综合行政执法队", "再次更名")


def test_an_entry_is_in_force_from_its_start_until_its_end_excluded() -> None:
    clock = Clock()
    since = clock.moment - timedelta(days=400)
    entry = unit(clock, active_from=since)
    end = clock() + timedelta(days=1)
    entry.retire(ADMIN, clock(), "年底撤销", end, [])
    assert not entry.active_at(since - timedelta(seconds=1))
    assert entry.active_at(since) and entry.active_at(end - timedelta(seconds=1))
    assert not entry.active_at(end)


def test_asking_outside_the_period_names_the_field_the_value_and_why() -> None:
    clock = Clock()
    start = clock.moment + timedelta(days=30)
    entry = unit(clock, active_from=start)
    with pytest.raises(NotInRegister) as error:
        entry.require_active(clock(), "lead_unit")
    assert error.value.field == "lead_unit" and error.value.ref == entry.ref
    assert "in force only from" in error.value.message and "起才启用" in error.value.zh
    assert isinstance(error.value, InvalidValue)
    entry.require_active(start, "lead_unit")


def test_a_change_is_never_backdated_nor_in_the_future() -> None:
    clock = Clock()
    entry = unit(clock)
    with pytest.raises(InvalidValue) as error:
        entry.rename(ADMIN, entry.last_at - timedelta(minutes=1), "新名", "更名")
    assert error.value.field == "at"
    with pytest.raises(InvalidValue):
        entry.rename(ADMIN, datetime.now(clock.moment.tzinfo) + timedelta(days=1), "新名", "更名")
    with pytest.raises(InvalidValue) as error:
        entry.retire(ADMIN, clock(), "撤销", entry.last_at - timedelta(days=1), [])
    assert error.value.field == "active_to"


# -- ends ------------------------------------------------------------------------------------


def test_a_retired_entry_takes_no_further_change_and_a_retirement_is_set_once() -> None:
    clock = Clock()
    entry = unit(clock)
    entry.retire(ADMIN, clock(), "计划撤销", clock.moment + timedelta(days=10), [])
    entry.rename(ADMIN, clock(), "过渡期名称", "撤销前更名")
    with refusal("unit.retire.already"):
        entry.retire(ADMIN, clock(), "提前撤销", None, [])
    clock(days=11)
    with refusal("unit.rename.ended"):
        entry.rename(ADMIN, clock(), "又一名称", "撤销后更名")
    with pytest.raises(NotInRegister) as error:
        entry.require_active(clock(), "unit")
    assert "was retired on" in error.value.message and "停用" in error.value.zh


def test_a_merged_entry_ends_now_and_names_its_successor() -> None:
    clock = Clock()
    old, new = unit(clock, "zd1"), unit(clock, "zd2")
    merged_at = clock()
    old.merge(ADMIN, merged_at, new, [old, new], "中队合并")
    assert old.merged_into == "zd2" and old.active_to == merged_at and not old.active_at(merged_at)
    with pytest.raises(NotInRegister) as error:
        old.require_active(clock(), "unit")
    assert "merged into 'zd2'" in error.value.message and "并入「zd2」" in error.value.zh
    with refusal("unit.move.ended"):
        old.move(ADMIN, clock(), [], "调整")


def test_a_merge_goes_into_another_entry_in_force_of_the_same_register_and_office() -> None:
    clock = Clock()
    entry, other = unit(clock, "zd1"), unit(clock, "zd2")
    with refusal("unit.merge.self"):
        entry.merge(ADMIN, clock(), entry, [], "自身")
    with pytest.raises(InvalidValue) as error:
        entry.merge(ADMIN, clock(), unit(clock, "zd3", office="east"), [], "跨街道")
    assert error.value.field == "into"
    other.retire(ADMIN, clock(), "计划撤销", clock.moment + timedelta(days=5), [])
    with refusal("unit.merge.target_inactive"):
        entry.merge(ADMIN, clock(), other, [], "并入将撤销的单位")
    future = unit(clock, "zd4", active_from=clock.moment + timedelta(days=5))
    with refusal("unit.merge.inactive"):
        future.merge(ADMIN, clock(), entry, [], "尚未启用")


def test_an_entry_with_entries_under_it_that_outlive_it_is_neither_retired_nor_merged() -> None:
    clock = Clock()
    parent, target = unit(clock, "zfj"), unit(clock, "zfj2")
    child = unit(clock, "zd1", lineage=[parent])
    with refusal("unit.retire.children"):
        parent.retire(ADMIN, clock(), "撤销", None, [parent, target, child])
    with refusal("unit.merge.children"):
        parent.merge(ADMIN, clock(), target, [parent, target, child], "合并")
    end = clock.moment + timedelta(days=30)
    child.retire(ADMIN, clock(), "随上级撤销", end - timedelta(days=1), [])
    with refusal("unit.retire.children"):
        parent.retire(ADMIN, clock(), "撤销", end - timedelta(days=2), [parent, child])
    parent.retire(ADMIN, clock(), "撤销", end, [parent, child])
    assert parent.active_to == end


# -- trees -----------------------------------------------------------------------------------


def test_a_parent_is_of_the_same_office_and_in_force_with_no_end_set() -> None:
    clock = Clock()
    with pytest.raises(InvalidValue) as error:
        unit(clock, "zd1", lineage=[unit(clock, "zfj", office="east")])
    assert error.value.field == "parent"
    ending = unit(clock, "zfj")
    ending.retire(ADMIN, clock(), "计划撤销", clock.moment + timedelta(days=3), [])
    with refusal("unit.parent.inactive"):
        unit(clock, "zd1", lineage=[ending])
    later = unit(clock, "zfj2", active_from=clock.moment + timedelta(days=10))
    with refusal("unit.parent.inactive"):
        unit(clock, "zd1", lineage=[later])
    child = unit(clock, "zd1", lineage=[later], active_from=later.active_from)
    assert child.parent == "zfj2"


def test_an_entry_moves_under_another_but_never_under_itself_or_its_descendants() -> None:
    clock = Clock()
    top, other = unit(clock, "zfj"), unit(clock, "bgs")
    child = unit(clock, "zd1", lineage=[top])
    grandchild = unit(clock, "zd1-1", lineage=[child, top])
    with refusal("unit.parent.cycle"):
        top.move(ADMIN, clock(), [grandchild, child, top], "循环")
    with refusal("unit.parent.cycle"):
        top.move(ADMIN, clock(), [top], "自身")
    with refusal("unit.move.unchanged"):
        child.move(ADMIN, clock(), [top], "不变")
    moved_at = clock()
    child.move(ADMIN, moved_at, [other], "划转")
    assert child.parent == "bgs" and child.parent_at(moved_at - timedelta(seconds=1)) == "zfj"
    child.move(ADMIN, clock(), [], "独立")
    assert child.parent is None


def test_villages_and_communities_are_top_places_and_grid_cells_lie_under_them() -> None:
    clock = Clock()
    village = place(clock, "donghu", PlaceKind.VILLAGE)
    area = place(clock, "dh-p1", PlaceKind.GRID_CELL, GridLevel.AREA, [village])
    street = place(clock, "dh-p1-j1", PlaceKind.GRID_CELL, GridLevel.STREET, [area, village])
    assert street.parent == "dh-p1" and street.is_grid_cell and not village.is_grid_cell
    with refusal("place.parent.top"):
        place(clock, "xinhe", PlaceKind.COMMUNITY, None, [village])
    with refusal("place.parent.grid"):
        place(clock, "orphan", PlaceKind.GRID_CELL, GridLevel.STREET)
    with refusal("place.parent.grid"):
        place(clock, "dh-q1", PlaceKind.GRID_CELL, GridLevel.DISTRICT, [area, village])
    with refusal("place.parent.grid"):
        place(clock, "dh-p2", PlaceKind.GRID_CELL, GridLevel.AREA, [area, village])
    with refusal("place.parent.grid"):
        street.move(ADMIN, clock(), [], "脱离")
    for kind, level in ((PlaceKind.GRID_CELL, None), (PlaceKind.VILLAGE, GridLevel.STREET)):
        with pytest.raises(InvalidValue) as error:
            place(clock, "bad", kind, level, [village])
        assert error.value.field == "grid_level"


def test_a_place_merges_only_into_its_own_sort() -> None:
    clock = Clock()
    village, community = place(clock, "donghu", PlaceKind.VILLAGE), place(clock, "xinhe", PlaceKind.COMMUNITY)
    area = place(clock, "xh-p1", PlaceKind.GRID_CELL, GridLevel.AREA, [community])
    street = place(clock, "xh-j1", PlaceKind.GRID_CELL, GridLevel.STREET, [community])
    with refusal("place.merge.target_kind"):
        village.merge(ADMIN, clock(), area, [], "并入网格")
    with refusal("place.merge.target_kind"):
        street.merge(ADMIN, clock(), area, [], "跨层级")
    village.merge(ADMIN, clock(), community, [village, community, area, street], "撤村建居")
    assert village.merged_into == "xinhe"


# -- time limits -----------------------------------------------------------------------------


def test_a_category_sets_limits_for_stages_of_its_kind_each_once() -> None:
    clock = Clock()
    entry = category(
        clock, [TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING), TimeLimit(Stage.ACCEPTANCE, 3, DayUnit.WORKING)]
    )
    assert [limit.stage for limit in entry.limits] == [Stage.ACCEPTANCE, Stage.HANDLING]
    with pytest.raises(InvalidValue) as error:
        category(clock, [TimeLimit(Stage.DECISION, 10, DayUnit.CALENDAR)])
    assert error.value.field == "limits.stage"
    with pytest.raises(InvalidValue) as error:
        category(clock, [TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING), TimeLimit(Stage.HANDLING, 9, DayUnit.WORKING)])
    assert error.value.field == "limits"


@pytest.mark.parametrize(
    ("stage", "unit", "field"),
    [("handling", DayUnit.WORKING, "limits.stage"), (Stage.HANDLING, "working", "limits.unit")],
)
def test_a_time_limit_names_a_stage_and_a_day_unit(stage: object, unit: object, field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        TimeLimit(stage, 3, unit)  # type: ignore[arg-type]
    assert error.value.field == field
    with pytest.raises(InvalidValue) as error:
        checked_limits(CaseKind.COMPLAINT, "handling", CALENDAR)  # type: ignore[arg-type]
    assert error.value.field == "limits"


@pytest.mark.parametrize("days", [0, -1, True, 2.5])
def test_a_time_limit_is_a_positive_whole_number_of_days(days: object) -> None:
    with pytest.raises(InvalidValue) as error:
        TimeLimit(Stage.HANDLING, days, DayUnit.CALENDAR)  # type: ignore[arg-type]
    assert error.value.field == "limits.days"


@pytest.mark.parametrize(
    ("kind", "limit", "allowed"),
    [
        (CaseKind.COMPLAINT, TimeLimit(Stage.HANDLING, 60, DayUnit.CALENDAR), True),
        (CaseKind.COMPLAINT, TimeLimit(Stage.HANDLING, 61, DayUnit.CALENDAR), False),
        (CaseKind.COMPLAINT, TimeLimit(Stage.HANDLING, 13, DayUnit.WORKING), True),
        (CaseKind.COMPLAINT, TimeLimit(Stage.ACCEPTANCE, 5, DayUnit.WORKING), True),
        (CaseKind.COMPLAINT, TimeLimit(Stage.ACCEPTANCE, 6, DayUnit.WORKING), False),
        (CaseKind.COMPLAINT, TimeLimit(Stage.RETURN_WINDOW, 5, DayUnit.CALENDAR), True),
        (CaseKind.COMPLAINT, TimeLimit(Stage.RETURN_WINDOW, 6, DayUnit.CALENDAR), False),
        (CaseKind.DISPUTE, TimeLimit(Stage.SETTLEMENT, 31, DayUnit.CALENDAR), False),
        (CaseKind.ENFORCEMENT, TimeLimit(Stage.SERVICE, 7, DayUnit.WORKING), True),
        (CaseKind.ENFORCEMENT, TimeLimit(Stage.SERVICE, 8, DayUnit.WORKING), False),
    ],
)
def test_no_limit_exceeds_the_statutory_one(kind: CaseKind, limit: TimeLimit, allowed: bool) -> None:
    clock = Clock()
    if allowed:
        assert category(clock, [limit], kind=kind).limits == [limit]
        return
    with refusal("category.limits.statutory") as error:
        category(clock, [limit], kind=kind)
    assert "法定" in error.value.zh and "statutory" in error.value.en


def test_working_days_span_the_most_calendar_days_the_calendar_gives_them() -> None:
    plain = WorkingCalendar([CalendarYear(2030, "test", False, {}, {})])
    assert longest_span(plain, 1) == 3  # Friday to Monday
    assert longest_span(plain, 5) == 7
    assert longest_span(CALENDAR, 1) == 10  # the make-up Saturday before the 2026 Spring Festival to 24 February
    assert CALENDAR.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_limits_change_from_now_on_and_earlier_moments_keep_the_earlier_ones() -> None:
    clock = Clock()
    first = [TimeLimit(Stage.HANDLING, 13, DayUnit.WORKING)]
    entry = category(clock, first)
    before, changed_at = clock(), clock()
    entry.change_limits(ADMIN, changed_at, [TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING)], "压缩时限", CALENDAR)
    assert entry.limits_at(before) == first and entry.limits_at(changed_at)[0].days == 10
    with refusal("category.change_limits.unchanged"):
        entry.change_limits(ADMIN, clock(), [TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING)], "不变", CALENDAR)
    with refusal("category.limits.statutory"):
        entry.change_limits(ADMIN, clock(), [TimeLimit(Stage.HANDLING, 61, DayUnit.CALENDAR)], "放宽", CALENDAR)
    entry.change_limits(ADMIN, clock(), [], "恢复默认", CALENDAR)
    assert entry.limits == []


def test_a_child_category_is_of_its_parents_kind_and_keeps_its_own_limits() -> None:
    clock = Clock()
    parent = category(clock, [TimeLimit(Stage.HANDLING, 13, DayUnit.WORKING)], code="help")
    child = category(clock, code="help.water", lineage=[parent])
    assert child.parent == "help" and child.limits == []
    with pytest.raises(InvalidValue) as error:
        category(clock, kind=CaseKind.DISPUTE, code="neighbour", lineage=[parent])
    assert error.value.field == "parent"
