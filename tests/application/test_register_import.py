"""Importing a register: every row in one transaction or none, on both stores."""

from __future__ import annotations

import pytest

from application.errors import Forbidden
from application.ledger import CaseLedger
from application.registers import RowRefused
from domain.actor import Actor, Role
from domain.errors import InvalidValue, RuleViolation
from domain.registers.refs import EntryRef, Register
from tests.support import CLERK

ADMIN = Actor("root-admin", Role.ADMIN, "党政办")
ROWS = [
    {"code": "zhd", "name": "综合执法大队", "kind": "section", "reason": "导入"},
    {"code": "cgzd", "name": "城管执法中队", "kind": "enforcement_squad", "parent": "zhd", "reason": "导入"},
]


def test_rows_are_registered_together_and_may_name_an_earlier_row_as_parent(ledger: CaseLedger) -> None:
    before = ledger.log_position()
    imported = ledger.import_register(ADMIN, "default", "unit", ROWS)
    assert [r.code for r in imported.registered] == ["zhd", "cgzd"] and imported.already == []
    assert imported.position == ledger.log_position() == before + 3  # the two entries, and that units are kept
    assert ledger.keeps("default", Register.UNIT)
    assert ledger.read_register_entry(CLERK, EntryRef("default", Register.UNIT, "cgzd")).parent == "zhd"
    again = ledger.import_register(ADMIN, "default", "unit", [*ROWS, ROWS[0]])
    assert again.registered == [] and [r.code for r in again.already] == ["zhd", "cgzd", "zhd"]
    assert again.position is None and ledger.log_position() == before + 3


@pytest.mark.parametrize(
    ("bad", "row", "field"),
    [
        ({"code": "x", "name": "x", "kind": "squad", "reason": "导入"}, 2, "kind"),
        ({"code": "x", "name": "x", "kind": "section", "parent": "nowhere", "reason": "导入"}, 2, "parent"),
        ({"code": "x", "name": "", "kind": "section", "reason": "导入"}, 2, "name"),
        (ROWS[0] | {"name": "另一个名称"}, 2, None),
    ],
)
def test_one_refused_row_registers_none(ledger: CaseLedger, bad: dict[str, str], row: int, field: str | None) -> None:
    before = ledger.log_position()
    with pytest.raises(RowRefused) as refused:
        ledger.import_register(ADMIN, "default", "unit", [*ROWS, bad])
    assert (refused.value.row, refused.value.field) == (row, field)
    if field is None:
        assert isinstance(refused.value.error, RuleViolation)
    assert ledger.log_position() == before and ledger.read_register(CLERK, "default", "unit") == []


def test_only_an_admin_imports_and_offices_are_registered_one_by_one(ledger: CaseLedger) -> None:
    with pytest.raises(Forbidden):
        ledger.import_register(CLERK, "default", "unit", ROWS)
    with pytest.raises(InvalidValue) as refused:
        ledger.import_register(ADMIN, "xihu", "office", [{"code": "xihu", "name": "西湖街道", "reason": "设立"}])
    assert refused.value.field == "register" and ledger.read_offices(CLERK) == []


def test_only_an_administrator_imports_a_register(ledger: CaseLedger) -> None:
    with pytest.raises(Forbidden):
        ledger.import_register(CLERK, "default", "unit", ROWS)
    assert not ledger.keeps("default", Register.UNIT)
