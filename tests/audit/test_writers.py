"""The chain under real writing: gaps left by rolled-back inserts, concurrent writers, and a store
that had events before the chain existed."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.config import Settings
from application.ledger import CaseLedger
from audit.store import AuditStore
from audit.verify import Outcome, verify_log
from bootstrap.ledger import build_ledger
from tests.audit.conftest import Rows, audited_ledger, chained, file_complaints


def _verify(ledger: CaseLedger) -> tuple[Outcome, int]:
    store = ledger.recorder
    assert isinstance(store, AuditStore)
    report = verify_log(store)
    return report.outcome, report.events


def test_gaps_left_by_rolled_back_inserts_verify(audited: CaseLedger, store_url: str) -> None:
    file_complaints(audited, 3)
    (first,) = audited.recorder.select_notifications(1, 1)
    duplicate = StoredEvent(first.originator_id, first.originator_version, first.topic, first.state)
    for _ in range(2):
        with pytest.raises(IntegrityError):
            audited.recorder.insert_events([StoredEvent(uuid4(), 1, first.topic, first.state), duplicate])
    file_complaints(audited, 3, prefix="after")
    ids = Rows(store_url, chained(audited)).ids()
    if store_url.startswith("postgresql"):
        assert ids[-1] > len(ids), "the rolled-back inserts consumed notification ids"
    assert _verify(audited) == (Outcome.OK, len(ids))


def test_eight_concurrent_writers_make_one_chain(audited: CaseLedger) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            file_complaints(audited, 6, prefix=f"w{worker}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    outcome, events = _verify(audited)
    assert outcome is Outcome.OK and events >= 48


def test_db_init_links_a_log_written_before_the_chain_once(tmp_path: object, store_url: str) -> None:
    ledger = audited_ledger(store_url)
    file_complaints(ledger, 4)
    rows = Rows(store_url, chained(ledger))
    rows.run("DELETE FROM {chain}")
    assert _verify(ledger)[0] is Outcome.INSERTED
    build_ledger(Settings(database_url=store_url), create_tables=True).close()
    assert _verify(ledger)[0] is Outcome.OK
    file_complaints(ledger, 2, prefix="after")
    rows.run("DELETE FROM {chain} WHERE notification_id = (SELECT MAX(notification_id) FROM {chain})")
    build_ledger(Settings(database_url=store_url), create_tables=True).close()
    assert _verify(ledger)[0] is Outcome.INSERTED, "once the chain exists, db init never links strays"
    ledger.close()
