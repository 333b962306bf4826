"""Register changes are links of the same chain as case events: ``audit verify`` covers them, and an edit of
one is reported at its position, on SQLite and on PostgreSQL."""

from __future__ import annotations

from application.ledger import CaseLedger
from audit.store import AuditStore
from audit.verify import Outcome, verify_log
from domain.actor import Actor, Role
from domain.registers.refs import EntryRef, Register
from tests.audit.conftest import Rows, file_complaints

ADMIN = Actor("root-admin", Role.ADMIN, "系统管理")


def _store(ledger: CaseLedger) -> AuditStore:
    store = ledger.recorder
    assert isinstance(store, AuditStore)
    return store


def test_a_register_change_is_verified_and_its_tampering_detected(audited: CaseLedger, store_url: str) -> None:
    file_complaints(audited, 2)
    registered = audited.register_unit(ADMIN, "default", "cgzd", "城管执法中队", "section", "机构设置")
    unit = EntryRef("default", Register.UNIT, "cgzd")
    renamed = audited.rename_register_entry(unit, 1, ADMIN, "综合行政执法队", "机构改革更名")
    file_complaints(audited, 1, prefix="after")
    report = verify_log(_store(audited))
    assert report.finding is None and report.events == audited.log_position()
    assert registered.position is not None and renamed.position is not None

    rows = Rows(store_url, audited.recorder)  # type: ignore[arg-type]
    (state,) = rows.fetch("SELECT state FROM {events} WHERE {id} = %s", (renamed.position,))[0]
    rows.run(
        "UPDATE {events} SET state = %s WHERE {id} = %s",
        (bytes(state).replace("机构改革".encode(), "临时调整".encode()), renamed.position),
    )
    finding = verify_log(_store(audited)).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.EDITED, renamed.position)
