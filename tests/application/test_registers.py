"""Register use cases and the lookup that validation will ask, on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from application.config import Settings
from application.errors import Forbidden, NotFound, StaleVersion
from application.ledger import CaseLedger
from application.registers import RegisterLookup
from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role
from domain.errors import InvalidValue, RuleViolation
from domain.kinds import CaseKind
from domain.registers.categories import Category, TimeLimit
from domain.registers.places import Place
from domain.registers.refs import EntryRef, NotInRegister, Register
from domain.rules import DayUnit, Stage
from domain.time import now
from tests.support import CLERK, DISCIPLINE, HANDLER, SUPERVISOR

ADMIN = Actor("root-admin", Role.ADMIN, "党政办")
STATISTICIAN = Actor("stat-1", Role.STATISTICIAN, "统计科")
UNIT = EntryRef("default", Register.UNIT, "cgzd")


def test_a_unit_is_registered_once_and_found_by_its_code_while_in_force(ledger: CaseLedger) -> None:
    first = ledger.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    again = ledger.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    assert first.id == again.id == UNIT.id and again.retried and again.position == first.position
    entry = ledger.active_entry("default", Register.UNIT, "cgzd", now())
    assert entry.name == "城管执法中队" and entry.version == 1
    with pytest.raises(NotInRegister) as error:
        ledger.active_entry("default", Register.UNIT, "城管执法中对", now(), field="lead_unit")
    assert error.value.field == "lead_unit" and error.value.ref.code == "城管执法中对"
    assert "城管执法中对" in error.value.message and "单位" in error.value.zh


def test_another_registration_under_a_used_code_is_refused_even_once_retired(ledger: CaseLedger) -> None:
    ledger.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    with pytest.raises(RuleViolation) as error:
        ledger.register_unit(ADMIN, "default", "cgzd", "城管中队", "enforcement_squad", "机构设置")
    assert error.value.rule == "unit.register.code_taken"
    ledger.retire_register_entry(UNIT, 1, ADMIN, "撤销")
    with pytest.raises(RuleViolation):
        ledger.register_unit(ADMIN, "default", "cgzd", "新城管中队", "enforcement_squad", "重建")


def test_only_an_admin_changes_the_registers_and_a_refusal_stores_nothing(ledger: CaseLedger) -> None:
    ledger.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "section", "机构设置")
    category = EntryRef("default", Register.COMPLAINT_CATEGORY, "consult")
    ledger.register_category(ADMIN, "default", "complaint", "consult", "咨询", "热线分类")
    attempts: dict[str, Callable[[Actor], Any]] = {
        "register_office": lambda a: ledger.register_office(a, "xihu", "西湖街道", "新设"),
        "register_unit": lambda a: ledger.register_unit(a, "default", "bgs", "办公室", "section", "新设"),
        "register_place": lambda a: ledger.register_place(a, "default", "donghu", "东湖村", "village", "新设"),
        "register_category": lambda a: ledger.register_category(a, "default", "dispute", "pond", "养殖塘", "新设"),
        "rename_register_entry": lambda a: ledger.rename_register_entry(UNIT, 1, a, "综合执法队", "更名"),
        "move_register_entry": lambda a: ledger.move_register_entry(UNIT, 1, a, None, "调整"),
        "merge_register_entry": lambda a: ledger.merge_register_entry(UNIT, 1, a, "bgs", "合并"),
        "retire_register_entry": lambda a: ledger.retire_register_entry(UNIT, 1, a, "撤销"),
        "change_category_limits": lambda a: ledger.change_category_limits(category, 1, a, [], "调整"),
    }
    before = ledger.log_position()
    for action, attempt in attempts.items():
        for actor in (CLERK, HANDLER, SUPERVISOR, DISCIPLINE, STATISTICIAN):
            with pytest.raises(Forbidden) as error:
                attempt(actor)
            assert error.value.action == action
    assert ledger.log_position() == before
    assert [e.code for e in ledger.read_register(CLERK, "default", "unit")] == ["cgzd"]
    assert [e.code for e in ledger.read_register(STATISTICIAN, "default", Register.COMPLAINT_CATEGORY)] == ["consult"]


def test_a_renamed_unit_keeps_its_code_history_and_what_it_was_called_then(ledger: CaseLedger) -> None:
    ledger.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    before = now()
    renamed = ledger.rename_register_entry(UNIT, 1, ADMIN, "综合行政执法队", "机构改革更名")
    assert renamed.id == UNIT.id and renamed.version == 2
    entry = ledger.active_entry("default", Register.UNIT, "cgzd", now())
    assert entry.name == "综合行政执法队" and entry.name_at(before) == "城管执法中队"
    history: list[Any] = list(ledger.events_of(UNIT.id))
    assert [type(e).__name__ for e in history] == ["Registered", "Renamed"]
    assert [(e.actor, e.reason) for e in history] == [(ADMIN, "机构设置"), (ADMIN, "机构改革更名")]
    with pytest.raises(StaleVersion):
        ledger.rename_register_entry(UNIT, 1, ADMIN, "又一名称", "重复提交")
    with pytest.raises(NotFound) as missing:
        ledger.rename_register_entry(UNIT.sibling("nope"), 1, ADMIN, "名称", "更名")
    assert "nope" in str(missing.value)


def test_an_office_other_than_the_default_is_registered_before_its_entries(ledger: CaseLedger) -> None:
    with pytest.raises(NotInRegister) as error:
        ledger.register_unit(ADMIN, "xihu", "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    assert error.value.field == "office"
    ledger.register_office(ADMIN, "xihu", "西湖街道", "县平台接入")
    ledger.register_unit(ADMIN, "xihu", "cgzd", "西湖城管执法中队", "enforcement_squad", "机构设置")
    ledger.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    assert ledger.active_entry("xihu", Register.UNIT, "cgzd", now()).name == "西湖城管执法中队"
    with pytest.raises(NotInRegister):
        ledger.active_entry("xihu", Register.UNIT, "bgs", now())
    assert [e.office for e in ledger.read_register(ADMIN, "xihu", "unit")] == ["xihu"]
    ledger.retire_register_entry(EntryRef("xihu", Register.OFFICE, "xihu"), 1, ADMIN, "撤并")
    with pytest.raises(NotInRegister) as error:
        ledger.active_entry("xihu", Register.UNIT, "cgzd", now(), field="lead_unit")
    assert error.value.field == "office"


def test_a_unit_of_another_office_is_not_found_in_this_one(ledger: CaseLedger) -> None:
    ledger.register_office(ADMIN, "xihu", "西湖街道", "县平台接入")
    ledger.register_unit(ADMIN, "xihu", "xh-zd", "西湖执法中队", "enforcement_squad", "机构设置")
    with pytest.raises(NotInRegister) as error:
        ledger.active_entry("default", Register.UNIT, "xh-zd", now(), field="lead_unit")
    assert error.value.ref == EntryRef("default", Register.UNIT, "xh-zd")
    with pytest.raises(NotInRegister) as error:
        ledger.register_unit(ADMIN, "default", "zd1", "一中队", "enforcement_squad", "新设", parent="xh-zd")
    assert error.value.field == "parent"


def test_the_register_answers_as_of_the_moment_asked_about(ledger: CaseLedger) -> None:
    since = now() - timedelta(days=800)
    ledger.register_place(ADMIN, "default", "donghu", "东湖村", "village", "登记已有村", active_from=since)
    place = EntryRef("default", Register.PLACE, "donghu")
    assert isinstance(ledger.active_entry("default", Register.PLACE, "donghu", since), Place)
    with pytest.raises(NotInRegister):
        ledger.active_entry("default", Register.PLACE, "donghu", since - timedelta(seconds=1))
    end = now() + timedelta(days=30)
    ledger.retire_register_entry(place, 1, ADMIN, "撤村建居", active_to=end)
    ledger.active_entry("default", Register.PLACE, "donghu", end - timedelta(seconds=1))
    with pytest.raises(NotInRegister) as error:
        ledger.active_entry("default", Register.PLACE, "donghu", end, field="location.village")
    assert error.value.field == "location.village" and "retired" in error.value.message


def test_grid_cells_lie_under_their_village_and_a_parent_is_an_entry_in_force(ledger: CaseLedger) -> None:
    ledger.register_place(ADMIN, "default", "donghu", "东湖村", "village", "登记")
    ledger.register_place(
        ADMIN, "default", "dh-p1", "东湖一片", "grid_cell", "登记", grid_level="area", parent="donghu"
    )
    street = ledger.register_place(
        ADMIN, "default", "dh-j1", "东湖一街", "grid_cell", "登记", grid_level="street", parent="dh-p1"
    )
    assert ledger.active_entry("default", Register.PLACE, "dh-j1", now()).parent == "dh-p1"
    with pytest.raises(RuleViolation) as error:
        ledger.register_place(ADMIN, "default", "orphan", "无主网格", "grid_cell", "登记", grid_level="street")
    assert error.value.rule == "place.parent.grid"
    with pytest.raises(NotInRegister) as missing:
        ledger.move_register_entry(
            EntryRef("default", Register.PLACE, "dh-j1"), street.version, ADMIN, "nowhere", "调整"
        )
    assert missing.value.field == "parent"


def test_an_entry_is_never_put_under_itself_or_what_lies_under_it(ledger: CaseLedger) -> None:
    ledger.register_category(ADMIN, "default", "complaint", "help", "求助", "分类")
    ledger.register_category(ADMIN, "default", "complaint", "help.water", "供水求助", "分类", parent="help")
    ledger.register_category(ADMIN, "default", "complaint", "help.water.cut", "停水", "分类", parent="help.water")
    top = EntryRef("default", Register.COMPLAINT_CATEGORY, "help")
    for parent in ("help.water.cut", "help"):
        with pytest.raises(RuleViolation) as error:
            ledger.move_register_entry(top, 1, ADMIN, parent, "循环")
        assert error.value.rule == "category.parent.cycle"
    moved = ledger.move_register_entry(top.sibling("help.water.cut"), 1, ADMIN, "help", "上移一级")
    assert ledger.active_entry("default", Register.COMPLAINT_CATEGORY, "help.water.cut", now()).parent == "help"
    assert moved.version == 2


def test_an_entry_is_merged_or_retired_only_once_nothing_under_it_outlives_it(ledger: CaseLedger) -> None:
    ledger.register_unit(ADMIN, "default", "zfj", "执法局", "section", "机构设置")
    ledger.register_unit(ADMIN, "default", "zd1", "一中队", "enforcement_squad", "机构设置", parent="zfj")
    ledger.register_unit(ADMIN, "default", "zd2", "二中队", "enforcement_squad", "机构设置", parent="zfj")
    parent, first = UNIT.sibling("zfj"), UNIT.sibling("zd1")
    with pytest.raises(RuleViolation) as error:
        ledger.retire_register_entry(parent, 1, ADMIN, "撤销")
    assert error.value.rule == "unit.retire.children" and "zd1" in error.value.en
    with pytest.raises(NotInRegister) as missing:
        ledger.merge_register_entry(first, 1, ADMIN, "zd9", "合并")
    assert missing.value.field == "into"
    ledger.merge_register_entry(first, 1, ADMIN, "zd2", "两队合并")
    with pytest.raises(NotInRegister) as merged:
        ledger.active_entry("default", Register.UNIT, "zd1", now(), field="lead_unit")
    assert "'zd2'" in merged.value.message
    ledger.move_register_entry(UNIT.sibling("zd2"), 1, ADMIN, None, "独立设置")
    assert ledger.retire_register_entry(parent, 1, ADMIN, "撤销").version == 2


def test_category_limits_stay_within_the_statute_and_survive_a_restart(ledger: CaseLedger, store_url: str) -> None:
    hotline = [TimeLimit(Stage.HANDLING, 13, DayUnit.WORKING)]
    ledger.register_category(ADMIN, "default", CaseKind.COMPLAINT, "complaint", "投诉", "热线", limits=hotline)
    ref = EntryRef("default", Register.COMPLAINT_CATEGORY, "complaint")
    with pytest.raises(RuleViolation) as error:
        ledger.change_category_limits(ref, 1, ADMIN, [TimeLimit(Stage.HANDLING, 61, DayUnit.CALENDAR)], "放宽")
    assert error.value.rule == "category.limits.statutory"
    with pytest.raises(InvalidValue) as wrong:
        ledger.change_category_limits(UNIT, 1, ADMIN, hotline, "单位无时限")
    assert wrong.value.field == "register"
    before = now()
    ledger.change_category_limits(ref, 1, ADMIN, [TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING)], "压缩时限")
    other = build_ledger(Settings(database_url=store_url))
    try:
        entry = other.active_entry("default", Register.COMPLAINT_CATEGORY, "complaint", now())
        assert isinstance(entry, Category) and entry.kind is CaseKind.COMPLAINT
        assert entry.limits_at(before) == hotline
        assert entry.limits == [TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING)]
    finally:
        other.close()


def test_the_ledger_is_the_lookup_validation_will_ask(ledger: CaseLedger) -> None:
    lookup: RegisterLookup = ledger
    ledger.register_category(ADMIN, "default", "enforcement", "street_vending", "流动摊贩", "执法分类")
    found = lookup.active_entry("default", Register.ENFORCEMENT_CATEGORY, "street_vending", now(), field="category")
    assert found.name == "流动摊贩"
    with pytest.raises(NotInRegister) as error:
        lookup.active_entry("default", Register.COMPLAINT_CATEGORY, "street_vending", now())
    assert error.value.field == "complaint_category"
    with pytest.raises(InvalidValue) as naive:
        lookup.active_entry("default", Register.ENFORCEMENT_CATEGORY, "street_vending", now().replace(tzinfo=None))
    assert naive.value.field == "at"
