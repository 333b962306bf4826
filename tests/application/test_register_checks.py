"""What records name is checked against the registers an office keeps, as of the record's moment, on both
stores: unknown, not yet in force, retired and merged values are refused naming the field, and nothing is
recorded; a register the office does not keep yet takes free text as before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.config import Settings
from application.core import CommandResult
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.kinds import CaseKind
from domain.outcomes import PartyRole
from domain.registers.categories import TimeLimit
from domain.registers.refs import DEFAULT_OFFICE, EntryRef, NotInRegister, Register
from domain.rules import DayUnit, Stage
from domain.time import local_date, now
from domain.values import Location, Party
from tests.support import CLERK, DISCIPLINE, HANDLER, SUPERVISOR, complainant

ADMIN = Actor("root-admin", Role.ADMIN, "党政办")
TYPO = "城管执法中对"
"""The issue's example: a typo of 城管执法中队."""
UNITS = [(TYPO, "no unit"), ("jhzd", "in force only from"), ("tuixiu", "was retired"), ("hebing", "was merged into")]
VILLAGES = [("xicun", "no place"), ("xincun", "in force only from"), ("jiucun", "was retired"), ("bingcun", "merged")]
CELLS = [("DH-99", "no place"), ("DH-05", "in force only from"), ("DH-04", "was retired"), ("DH-02", "merged")]
CATEGORIES = [
    ("road_occupation", "no complaint category"),
    ("parking", "in force only from"),
    ("sanitation", "was retired"),
    ("catering_order", "was merged into"),
]
HERE = Location(village="donghu", address="东湖村三组12号", grid_cell="DH-03")


def register_the_four_sorts(ledger: CaseLedger, register: Register, codes: list[str], add: Callable[..., Any]) -> None:
    """``codes``: one in force, then one in force tomorrow, one retired and one merged into the first."""
    first, future, retired, merged = codes
    add(first, "机构设置")
    add(future, "新设", active_from=now() + timedelta(days=1))
    add(retired, "旧设")
    add(merged, "旧设")
    ledger.retire_register_entry(EntryRef(DEFAULT_OFFICE, register, retired), 1, ADMIN, "撤销")
    ledger.merge_register_entry(EntryRef(DEFAULT_OFFICE, register, merged), 1, ADMIN, first, "合并")


def keep_units(ledger: CaseLedger) -> None:
    def add(code: str, reason: str, **extra: Any) -> None:
        ledger.register_unit(ADMIN, DEFAULT_OFFICE, code, f"单位{code}", "enforcement_squad", reason, **extra)

    register_the_four_sorts(ledger, Register.UNIT, ["cgzd", "jhzd", "tuixiu", "hebing"], add)
    add("scjg", "机构设置")


def keep_places(ledger: CaseLedger) -> None:
    def village(code: str, reason: str, **extra: Any) -> None:
        ledger.register_place(ADMIN, DEFAULT_OFFICE, code, f"村{code}", "village", reason, **extra)

    def cell(code: str, reason: str, **extra: Any) -> None:
        ledger.register_place(
            ADMIN,
            DEFAULT_OFFICE,
            code,
            f"网格{code}",
            "grid_cell",
            reason,
            grid_level="street",
            parent="donghu",
            **extra,
        )

    register_the_four_sorts(ledger, Register.PLACE, ["donghu", "xincun", "jiucun", "bingcun"], village)
    register_the_four_sorts(ledger, Register.PLACE, ["DH-03", "DH-05", "DH-04", "DH-02"], cell)
    village("xinhe", "机构设置")
    ledger.register_place(
        ADMIN, DEFAULT_OFFICE, "XH-07", "网格XH-07", "grid_cell", "网格划分", grid_level="street", parent="xinhe"
    )


def keep_complaint_categories(ledger: CaseLedger) -> None:
    def add(code: str, reason: str, **extra: Any) -> None:
        ledger.register_category(ADMIN, DEFAULT_OFFICE, "complaint", code, f"类别{code}", reason, **extra)

    register_the_four_sorts(
        ledger, Register.COMPLAINT_CATEGORY, ["noise", "parking", "sanitation", "catering_order"], add
    )
    add("breakfast_stalls", "热线分类")


def refused_each(ledger: CaseLedger, field: str, values: list[tuple[str, str]], attempt: Callable[[str], Any]) -> None:
    """Each value refused naming ``field``, the value and why, and nothing recorded."""
    before = ledger.log_position()
    for value, why in values:
        with pytest.raises(NotInRegister) as error:
            attempt(value)
        assert error.value.field == field and error.value.ref.code == value, error.value
        assert why in error.value.message and value in error.value.message
    assert ledger.log_position() == before


def file(ledger: CaseLedger, location: Location = HERE, category: str = "noise") -> CommandResult:
    return ledger.file_complaint(
        uuid4().hex,
        CLERK,
        category=category,
        channel="hotline",
        location=location,
        description="夜间施工噪声",
        parties=[complainant()],
    )


def accepted(ledger: CaseLedger) -> UUID:
    filed = file(ledger)
    ledger.accept_complaint(filed.id, 1, SUPERVISOR)
    return filed.id


def dispute(ledger: CaseLedger, location: Location = HERE) -> CommandResult:
    return ledger.file_dispute(
        uuid4().hex,
        CLERK,
        category="neighbour",
        channel="application",
        location=location,
        description="邻里排水纠纷",
        parties=[Party(PartyRole.APPLICANT, "甲"), Party(PartyRole.RESPONDENT, "乙")],
    )


def accepted_dispute(ledger: CaseLedger) -> UUID:
    filed = dispute(ledger)
    ledger.accept_dispute(filed.id, 1, SUPERVISOR)
    return filed.id


def clue(ledger: CaseLedger, category: str = "street_vending", location: Location = HERE) -> CommandResult:
    return ledger.record_clue(
        uuid4().hex,
        HANDLER,
        category=category,
        channel="patrol",
        location=location,
        description="巡查发现流动摊贩",
        parties=[Party(PartyRole.PARTY, "某摊贩")],
    )


def ruling(ledger: CaseLedger, unit: str, key: str = "") -> CommandResult:
    return ledger.request_ruling(
        key or uuid4().hex,
        DISCIPLINE,
        cadre_id="c-1",
        cadre_name="孙某",
        unit=unit,
        case_ids=[],
        error="未及时固定证据",
        consequences="复议撤销",
        circumstances="台风前紧急处置",
        motive="消除隐患",
        proposed_by_unit=True,
    )


def clearing(ledger: CaseLedger, unit: str) -> CommandResult:
    return ledger.propose_clearing(
        uuid4().hex,
        DISCIPLINE,
        cadre_id="c-1",
        cadre_name="孙某",
        unit=unit,
        accusation="收受礼品",
        investigation="经查无此事",
        finding="false",
    )


# -- units ----------------------------------------------------------------------------------------


def test_a_complaint_is_dispatched_only_to_units_in_force_the_typo_of_the_issue_included(ledger: CaseLedger) -> None:
    keep_units(ledger)
    case = accepted(ledger)
    refused_each(ledger, "lead_unit", UNITS, lambda unit: ledger.dispatch_complaint(case, 2, SUPERVISOR, unit, []))
    refused_each(
        ledger, "assisting_units", UNITS, lambda unit: ledger.dispatch_complaint(case, 2, SUPERVISOR, "cgzd", [unit])
    )
    assert ledger.dispatch_complaint(case, 2, SUPERVISOR, "cgzd", ["scjg"]).version == 3


def test_a_mediator_is_assigned_only_for_a_unit_in_force(ledger: CaseLedger) -> None:
    keep_units(ledger)
    case = accepted_dispute(ledger)
    refused_each(ledger, "unit", UNITS, lambda unit: ledger.assign_mediator(case, 2, SUPERVISOR, "陈调解", unit))
    assert ledger.assign_mediator(case, 2, SUPERVISOR, "陈调解", "cgzd").version == 3


def test_an_enforcement_case_is_filed_only_for_a_unit_in_force(ledger: CaseLedger) -> None:
    keep_units(ledger)
    case = clue(ledger).id
    refused_each(ledger, "unit", UNITS, lambda unit: ledger.file_enforcement_case(case, 1, SUPERVISOR, "立案", unit))
    assert ledger.file_enforcement_case(case, 1, SUPERVISOR, "立案", "cgzd").version == 2


def test_a_ruling_and_a_clearing_name_a_cadre_of_a_unit_in_force(ledger: CaseLedger) -> None:
    keep_units(ledger)
    refused_each(ledger, "unit", UNITS, lambda unit: ruling(ledger, unit))
    refused_each(ledger, "unit", UNITS, lambda unit: clearing(ledger, unit))
    assert ruling(ledger, "cgzd").version == clearing(ledger, "cgzd").version == 1


def test_a_retried_ruling_answers_its_ruling_though_its_unit_has_been_retired(ledger: CaseLedger) -> None:
    keep_units(ledger)
    first = ruling(ledger, "scjg", "ruling-1")
    ledger.retire_register_entry(EntryRef(DEFAULT_OFFICE, Register.UNIT, "scjg"), 1, ADMIN, "撤销")
    again = ruling(ledger, "scjg", "ruling-1")
    assert again.retried and again.id == first.id
    refused_each(ledger, "unit", [("scjg", "was retired")], lambda unit: ruling(ledger, unit))


def test_a_unit_of_another_office_is_refused_for_a_case_of_the_default_office(ledger: CaseLedger) -> None:
    keep_units(ledger)
    ledger.register_office(ADMIN, "xihu", "西湖街道", "新设")
    ledger.register_unit(ADMIN, "xihu", "xhzd", "西湖执法中队", "enforcement_squad", "机构设置")
    case = accepted(ledger)
    refused_each(
        ledger,
        "lead_unit",
        [("xhzd", "in office 'default'")],
        lambda unit: ledger.dispatch_complaint(case, 2, SUPERVISOR, unit, []),
    )


def test_a_unit_given_as_no_code_is_refused_naming_the_field(ledger: CaseLedger) -> None:
    keep_units(ledger)
    case = accepted(ledger)
    with pytest.raises(InvalidValue) as error:
        ledger.dispatch_complaint(case, 2, SUPERVISOR, "城管 执法中队", [])
    assert error.value.field == "lead_unit"


def test_registers_not_kept_take_free_text_as_before(ledger: CaseLedger) -> None:
    keep_complaint_categories(ledger)
    case = accepted(ledger)
    assert not ledger.keeps(DEFAULT_OFFICE, Register.UNIT) and not ledger.keeps(DEFAULT_OFFICE, Register.PLACE)
    assert ledger.keeps(DEFAULT_OFFICE, Register.COMPLAINT_CATEGORY)
    assert ledger.dispatch_complaint(case, 2, SUPERVISOR, TYPO, ["任意科室"]).version == 3
    assert file(ledger, Location("随便写的村", "某路1号", "某网格")).version == 1
    assert ruling(ledger, "随便写的单位").version == 1


def test_another_office_keeping_its_units_leaves_the_default_office_free(ledger: CaseLedger) -> None:
    ledger.register_office(ADMIN, "xihu", "西湖街道", "新设")
    ledger.register_unit(ADMIN, "xihu", "xhzd", "西湖执法中队", "enforcement_squad", "机构设置")
    assert ledger.keeps("xihu", Register.UNIT) and not ledger.keeps(DEFAULT_OFFICE, Register.UNIT)
    assert ledger.dispatch_complaint(accepted(ledger), 2, SUPERVISOR, TYPO, []).version == 3


def test_a_first_unit_registered_by_another_process_is_enforced_here_without_restart(
    ledger: CaseLedger, store_url: str
) -> None:
    case = accepted(ledger)
    assert not ledger.keeps(DEFAULT_OFFICE, Register.UNIT)
    other = build_ledger(Settings(database_url=store_url))
    try:
        other.register_unit(ADMIN, DEFAULT_OFFICE, "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    finally:
        other.close()
    refused_each(ledger, "lead_unit", UNITS[:1], lambda unit: ledger.dispatch_complaint(case, 2, SUPERVISOR, unit, []))
    assert ledger.dispatch_complaint(case, 2, SUPERVISOR, "cgzd", []).version == 3


def test_the_first_entry_records_that_the_office_keeps_the_register_once(ledger: CaseLedger) -> None:
    before = ledger.log_position()
    first = ledger.register_unit(ADMIN, DEFAULT_OFFICE, "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    again = ledger.register_unit(ADMIN, DEFAULT_OFFICE, "cgzd", "城管执法中队", "enforcement_squad", "机构设置")
    second = ledger.register_unit(ADMIN, DEFAULT_OFFICE, "scjg", "市场监管所", "section", "机构设置")
    assert again.retried and again.position == first.position
    assert first.position == before + 2 and second.position == first.position + 1  # kept, then its entries
    ledger.register_office(ADMIN, "xihu", "西湖街道", "新设")
    assert not ledger.keeps("xihu", Register.OFFICE) and not ledger.keeps(DEFAULT_OFFICE, Register.OFFICE)


# -- places ---------------------------------------------------------------------------------------


def test_a_case_is_filed_only_in_a_village_and_grid_cell_in_force(ledger: CaseLedger) -> None:
    keep_places(ledger)
    refused_each(ledger, "location.village", VILLAGES, lambda v: file(ledger, Location(v, "某路1号")))
    refused_each(ledger, "location.grid_cell", CELLS, lambda c: file(ledger, Location("donghu", "某路1号", c)))
    assert file(ledger).version == 1
    assert file(ledger, Location("xinhe", "新河路8号")).version == 1


def test_a_grid_cell_must_lie_within_the_village_and_a_village_be_no_grid_cell(ledger: CaseLedger) -> None:
    keep_places(ledger)
    before = ledger.log_position()
    for given, field in [
        (Location("donghu", "某路1号", "XH-07"), "location.grid_cell"),
        (Location("donghu", "某路1号", "xinhe"), "location.grid_cell"),
        (Location("DH-03", "某路1号"), "location.village"),
    ]:
        with pytest.raises(InvalidValue) as error:
            file(ledger, given)
        assert error.value.field == field and not isinstance(error.value, NotInRegister)
    assert ledger.log_position() == before


def test_every_kind_of_case_is_filed_only_in_places_in_force(ledger: CaseLedger) -> None:
    keep_places(ledger)
    elsewhere = Location("xicun", "某路1号")
    before = ledger.log_position()
    for filing in (dispute, lambda ledger, location: clue(ledger, location=location)):
        with pytest.raises(NotInRegister, match=r"location\.village"):
            filing(ledger, elsewhere)
    assert ledger.log_position() == before


def test_a_location_is_corrected_only_to_places_in_force(ledger: CaseLedger) -> None:
    keep_places(ledger)
    case = file(ledger).id
    refused_each(
        ledger,
        "location.village",
        VILLAGES,
        lambda v: ledger.correct_case(case, 1, SUPERVISOR, 1, "地址有误", location=Location(v, "某路1号")),
    )
    assert ledger.correct_case(case, 1, SUPERVISOR, 1, "地址有误", location=Location("xinhe", "新河路8号")).version == 2


# -- categories -----------------------------------------------------------------------------------


def test_a_complaint_is_filed_only_under_a_category_in_force_once_the_register_is_kept(ledger: CaseLedger) -> None:
    keep_complaint_categories(ledger)
    refused_each(ledger, "category", CATEGORIES, lambda category: file(ledger, category=category))
    assert file(ledger, category="breakfast_stalls").version == 1
    with pytest.raises(InvalidValue, match="expected one of"):
        file(ledger, category="咨询")  # the fixed codes stay the floor


def test_a_category_is_corrected_only_to_one_in_force(ledger: CaseLedger) -> None:
    keep_complaint_categories(ledger)
    case = file(ledger).id
    refused_each(
        ledger,
        "category",
        CATEGORIES,
        lambda category: ledger.correct_case(case, 1, SUPERVISOR, 1, "分类有误", category=category),
    )
    assert ledger.correct_case(case, 1, SUPERVISOR, 1, "分类有误", category="breakfast_stalls").version == 2


def test_each_kind_is_checked_against_its_own_category_register(ledger: CaseLedger) -> None:
    ledger.register_category(ADMIN, DEFAULT_OFFICE, CaseKind.ENFORCEMENT, "street_vending", "流动摊贩", "分类")
    assert file(ledger, category="road_occupation").version == 1  # the complaints' register is not kept
    refused_each(
        ledger, "category", [("road_occupation", "no enforcement category")], lambda c: clue(ledger, category=c)
    )
    assert clue(ledger).version == 1


def test_a_retried_filing_answers_its_case_though_its_category_has_been_retired(ledger: CaseLedger) -> None:
    keep_complaint_categories(ledger)
    key = uuid4().hex

    def filing() -> CommandResult:
        return ledger.file_complaint(
            key, CLERK, category="noise", channel="hotline", location=HERE, description="噪声", parties=[]
        )

    first = filing()
    ledger.retire_register_entry(EntryRef(DEFAULT_OFFICE, Register.COMPLAINT_CATEGORY, "noise"), 1, ADMIN, "撤销")
    again = filing()
    assert again.retried and again.id == first.id


# -- time limits ----------------------------------------------------------------------------------


def test_a_case_runs_on_the_time_limits_its_category_set_when_it_was_filed(ledger: CaseLedger, store_url: str) -> None:
    hotline = [TimeLimit(Stage.ACCEPTANCE, 3, DayUnit.WORKING), TimeLimit(Stage.HANDLING, 10, DayUnit.WORKING)]
    since = datetime(2025, 1, 1, tzinfo=UTC)
    ledger.register_category(
        ADMIN, DEFAULT_OFFICE, "complaint", "noise", "噪声扰民", "热线分类", limits=hotline, active_from=since
    )
    registered = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)
    then = ledger.file_complaint(
        uuid4().hex,
        CLERK,
        category="noise",
        channel="hotline",
        location=HERE,
        description="噪声",
        parties=[],
        at=registered,
    )
    ledger.accept_complaint(then.id, 1, SUPERVISOR, at=registered + timedelta(days=2))
    category = EntryRef(DEFAULT_OFFICE, Register.COMPLAINT_CATEGORY, "noise")
    ledger.change_category_limits(category, 1, ADMIN, [TimeLimit(Stage.HANDLING, 5, DayUnit.WORKING)], "压缩时限")
    later = file(ledger)
    ledger.accept_complaint(later.id, 1, SUPERVISOR)

    add = ledger.calendar.add_working_days
    today = local_date(now())
    assert deadlines(ledger, then.id) == {
        "acceptance": add(date(2025, 9, 26), 3).isoformat(),
        "handling": add(date(2025, 9, 28), 10).isoformat(),
    }
    assert deadlines(ledger, later.id) == {
        "acceptance": ledger.calendar.next_working_day_on_or_after(today + timedelta(days=15)).isoformat(),
        "handling": add(today, 5).isoformat(),
    }
    reloaded = build_ledger(Settings(database_url=store_url))
    try:
        assert deadlines(reloaded, then.id) == deadlines(ledger, then.id)
    finally:
        reloaded.close()


def test_a_case_filed_before_its_category_was_kept_runs_on_the_rule_table(ledger: CaseLedger) -> None:
    before = file(ledger)
    ledger.register_category(
        ADMIN,
        DEFAULT_OFFICE,
        "complaint",
        "noise",
        "噪声扰民",
        "热线分类",
        limits=[TimeLimit(Stage.ACCEPTANCE, 3, DayUnit.WORKING)],
    )
    today = local_date(now())
    assert deadlines(ledger, before.id) == {
        "acceptance": ledger.calendar.next_working_day_on_or_after(today + timedelta(days=15)).isoformat()
    }


def deadlines(ledger: CaseLedger, case_id: UUID) -> dict[str, str]:
    return {c["stage"]["code"]: c["deadline"] for c in ledger.view_case(SUPERVISOR, case_id)["clocks"]}
