"""``caseledger office|units|places|categories|registers`` on both stores: imports are all or nothing, and
``registers adopt`` registers what an older log names, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from application.config import Settings
from application.queries import plain
from bootstrap.ledger import build_ledger
from domain.outcomes import PartyRole
from domain.registers.entry import RegisterEntry
from domain.registers.refs import Register
from domain.values import Party
from tests.support import CLERK, SUPERVISOR, complainant, location
from tests.web.conftest import Run

UNITS_CSV = """code,name,kind,parent,active_from
zhd,综合执法大队,section,,2024-01-01
cgzd,城管执法中队,enforcement_squad,zhd,2024-01-01T08:30:00+08:00
xhsq,新河社区居民委员会,community,,
"""


def _codes(store_url: str, register: Register) -> list[str]:
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        return [e.code for e in ledger.read_register(CLERK, "default", register)]
    finally:
        ledger.close()


def test_units_are_imported_once_and_listed(run: Run, store_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text("\ufeff" + UNITS_CSV, encoding="utf-8")  # as a spreadsheet saves it, with a BOM
    code, out, _ = run("units", "import", str(csv))
    assert code == 0 and out.splitlines()[0] == "registered 3 unit entries, 0 already registered", out
    code, out, _ = run("units", "import", str(csv))
    assert code == 0 and out.splitlines() == ["registered 0 unit entries, 3 already registered"]
    code, out, _ = run("registers", "list", "unit")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["code", "name", "kind", "parent", "from", "to", "merged", "into"]
    assert lines[2].split() == ["cgzd", "城管执法中队", "enforcement_squad", "zhd", "2024-01-01", "08:30", "-", "-"]
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        (entry,) = [e for e in ledger.read_register(CLERK, "default", "unit") if e.code == "cgzd"]
        history = ledger.view_history(CLERK, RegisterEntry, entry.id)
        assert history[0]["actor"]["user_id"].startswith("cli:")
        assert history[0]["data"]["reason"] == "导入 units.csv"
    finally:
        ledger.close()


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("code,name,kind\nok,好,section\nbad,坏,squad\n", "line 3, column kind: unknown value 'squad'"),
        (
            "code,name,kind,parent\nok,好,section\nsub,分队,section,nowhere\n",
            "line 3, column parent: no unit 'nowhere'",
        ),
        ("code,name,kind,active_from\nok,好,section,2024-13-01\n", "line 2, column active_from: not a date"),
        ("code,name,kind\nok,好,section\nok,另一个,section\n", "line 3: [unit.register.code_taken] the code 'ok'"),
        ("code,name,kind\nok,好,section\nb d,坏,section\n", "line 3, column code: must not contain white space"),
        ("code,name,colour\nok,好,red\n", "line 1, column colour: unknown column"),
        ("code,name\nok,好\n", "line 1, column kind: missing column"),
        ("code,name,kind\nok,好,section,extra\n", "line 2: more cells than the 3 columns"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(run: Run, store_url: str, tmp_path: Path, content: str, where: str) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(content, encoding="utf-8")
    code, _, err = run("units", "import", str(csv))
    assert code == 1 and f"units.csv, {where}" in err and "nothing was registered" in err, err
    assert _codes(store_url, Register.UNIT) == []


def test_places_and_categories_are_imported(run: Run, store_url: str, tmp_path: Path) -> None:
    places = tmp_path / "places.csv"
    places.write_text(
        "code,name,kind,parent,active_from,grid_level\n东湖村,东湖村,village,,,\n东湖村第1网格,东湖村第1网格,grid_cell,东湖村,,street\n",
        encoding="utf-8",
    )
    assert run("places", "import", str(places))[0] == 0
    assert _codes(store_url, Register.PLACE) == ["东湖村", "东湖村第1网格"]
    categories = tmp_path / "categories.csv"
    categories.write_text("code,name,parent,active_from\nnoise,噪声扰民,,\nnight,夜间施工,noise,\n", encoding="utf-8")
    code, out, _ = run("categories", "import", str(categories), "--kind", "dispute", "--reason", "年度分类调整")
    assert code == 0 and "registered 2 dispute category entries" in out
    assert _codes(store_url, Register.DISPUTE_CATEGORY) == ["noise", "night"]
    assert _codes(store_url, Register.COMPLAINT_CATEGORY) == []


def test_an_office_is_added_once(run: Run) -> None:
    assert run("office", "add", "xihu", "西湖街道") == (0, "registered office xihu (西湖街道)\n", "")
    assert run("office", "add", "xihu", "西湖街道")[1] == "already registered office xihu (西湖街道)\n"
    code, _, err = run("office", "add", "xihu", "西湖镇")
    assert code == 1 and "already names" in err
    assert run("office", "add", "dongpu", "东浦镇", "--active-from", "2024-13-01")[0] == 2
    code, out, _ = run("registers", "list", "office")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["code", "xihu"]


def test_adopt_registers_what_the_log_names_once(run: Run, store_url: str) -> None:
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        common: dict[str, Any] = {"channel": "hotline", "description": "夜间施工噪声", "parties": [complainant()]}
        filed = ledger.file_complaint(uuid4().hex, CLERK, category="noise", location=location(), **common)
        ledger.accept_complaint(filed.id, 1, SUPERVISOR)
        ledger.dispatch_complaint(filed.id, 2, SUPERVISOR, "城管执法中队", ["市场 监管所"])
        dispute = ledger.file_dispute(
            uuid4().hex,
            CLERK,
            category="neighbour",
            channel="application",
            location=location(),
            description="邻里纠纷",
            parties=[Party(PartyRole.APPLICANT, "甲"), Party(PartyRole.RESPONDENT, "乙")],
        )
        ledger.accept_dispute(dispute.id, 1, SUPERVISOR)
        ledger.assign_mediator(dispute.id, 2, SUPERVISOR, "陈调解", "东湖村人民调解委员会")
    finally:
        ledger.close()
    village = location().village
    code, out, _ = run("registers", "adopt")
    assert code == 0, out
    lines = out.splitlines()
    assert f"place\t{village}\tregistered" in lines
    assert "unit\t城管执法中队\tregistered" in lines and "unit\t东湖村人民调解委员会\tregistered" in lines
    assert "complaint_category\tnoise\tregistered" in lines and "dispute_category\tneighbour\tregistered" in lines
    assert any(line.startswith("unit\t市场 监管所\tnot registered: code") for line in lines), "not a code"
    assert lines[-1] == "registered 5 of 6 values the log names"
    code, out, _ = run("registers", "adopt")
    assert code == 0 and out.splitlines()[-1] == "registered 0 of 6 values the log names"
    assert "unit\t城管执法中队\talready registered" in out.splitlines()
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        units = {e.code: e for e in ledger.read_register(CLERK, "default", "unit")}
        assert units["东湖村人民调解委员会"].kind.code == "community"  # type: ignore[attr-defined]
        (place,) = ledger.read_register(CLERK, "default", "place")
        assert plain(place.active_from) == ledger.view_case(CLERK, filed.id)["filed_at"], "since first named"
        categories = ledger.read_register(CLERK, "default", "complaint_category")
        assert [(c.code, c.name) for c in categories] == [("noise", "噪声扰民")]
    finally:
        ledger.close()
