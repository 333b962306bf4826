"""Text a store cannot hold, already in the log (an old log, written before the API refused it), is
stored safely by every projection instead of wedging it: followed and rebuilt, on both stores."""

from __future__ import annotations

from application.ledger import CaseLedger
from bootstrap.read_side import build_projections, build_runners
from domain.kinds import ComplaintCategory
from projections.case_index import CaseIndex
from projections.case_listing import CaseFilter
from projections.store import ReadStore
from tests.projections.desk import Desk, place
from tests.support import SUPERVISOR


def test_a_nul_in_an_old_event_is_stored_as_a_replacement_character(ledger: CaseLedger, read_store: ReadStore) -> None:
    desk = Desk(ledger)
    case_id = desk.complaint(
        "old-log-1",
        category=ComplaintCategory.NOISE,
        location=place("新\x00河社区", "XH\x00-01"),
        description="夜间施工\x00噪音扰民",
    )
    desk.do("accept_complaint", case_id, SUPERVISOR)
    desk.do("dispatch_complaint", case_id, SUPERVISOR, "城管\x00执法中队", [])
    runners = build_runners(ledger, read_store)
    for runner in runners:
        runner.run_once()
        assert runner.position() == runner.head(), runner.name

    index = build_projections(ledger, read_store)["case_index"]
    assert isinstance(index, CaseIndex)
    (row,) = index.list_cases(per_page=10).items
    assert row["description"] == "夜间施工\ufffd噪音扰民"
    assert row["village"] == "新\ufffd河社区" and row["lead_unit"] == "城管\ufffd执法中队"
    assert index.list_cases(CaseFilter(text="施工\ufffd噪音")).total == 1

    for runner in runners:
        runner.rebuild()
        assert not runner.rebuilding() and runner.position() == runner.head(), runner.name
    assert index.list_cases(per_page=10).items == [row]
