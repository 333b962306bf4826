"""The tamper matrix: each way of changing the stored log is reported at the right position with
the right reason, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.ledger import CaseLedger
from audit.bundle import verify_bundle
from audit.chain import GENESIS, event_digest, extend
from audit.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from audit.keys import public_pem
from audit.store import AuditStore
from audit.verify import Outcome, Report, verify_log
from tests.audit.conftest import Rows, audited_ledger, chained, file_complaints
from tests.support import SUPERVISOR

KEY = Ed25519PrivateKey.generate()
COMPLAINTS = 20
MIDDLE = 7


@pytest.fixture
def world(store_url: str) -> Iterator[tuple[CaseLedger, Rows, Checkpoint]]:
    ledger = audited_ledger(store_url)
    file_complaints(ledger, COMPLAINTS)
    report = verify_log(_store(ledger))
    assert report.finding is None and report.events == report.last_notification_id >= COMPLAINTS
    checkpoint = sign_checkpoint(KEY, report.events, report.last_notification_id, report.head_hash)
    _record(ledger, checkpoint)
    yield ledger, Rows(store_url, chained(ledger)), checkpoint
    ledger.close()


def _record(ledger: CaseLedger, checkpoint: Checkpoint) -> None:
    """Keep a copy in the checkpoint table, as ``audit checkpoint`` does."""
    _store(ledger).record_checkpoint(
        checkpoint.to_json(), checkpoint.last_notification_id, checkpoint.log_size, public_pem(KEY.public_key())
    )


def _store(ledger: CaseLedger) -> AuditStore:
    store = ledger.recorder
    assert isinstance(store, AuditStore)
    return store


def _verify(ledger: CaseLedger, *checkpoints: Checkpoint) -> Report:
    return verify_log(_store(ledger), checkpoints, KEY.public_key(), batch=4)


def test_an_untouched_log_verifies_against_its_checkpoint(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, _, checkpoint = world
    report = _verify(ledger, checkpoint)
    assert report.outcome is Outcome.OK and report.checkpoints == 1 and report.events == checkpoint.log_size


def test_an_edited_state_is_reported_at_its_position(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    (state,) = rows.fetch("SELECT state FROM {events} WHERE {id} = %s", (MIDDLE,))[0]
    rows.run(
        "UPDATE {events} SET state = %s WHERE {id} = %s",
        (bytes(state).replace("夜间".encode(), "白天".encode()), MIDDLE),
    )
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.EDITED, MIDDLE)
    assert "stored bytes" in finding.detail


def test_an_edited_topic_is_reported_at_its_position(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    rows.run("UPDATE {events} SET topic = %s WHERE {id} = %s", ("domain.complaint:Complaint.Closed", MIDDLE))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.EDITED, MIDDLE)


def test_a_deleted_middle_event_is_reported_as_removed(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    rows.run("DELETE FROM {events} WHERE {id} = %s", (MIDDLE,))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REMOVED, MIDDLE)


def test_a_middle_event_deleted_with_its_link_shows_as_a_skip(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    rows.run("DELETE FROM {events} WHERE {id} = %s", (MIDDLE,))
    rows.run("DELETE FROM {chain} WHERE notification_id = %s", (MIDDLE,))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REMOVED, MIDDLE + 1)
    assert "skips" in finding.detail


def test_two_swapped_events_are_reported_as_reordered(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    for old, new in ((MIDDLE, -1), (MIDDLE + 1, MIDDLE), (-1, MIDDLE + 1)):
        rows.run("UPDATE {events} SET {id} = %s WHERE {id} = %s", (new, old))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REORDERED, MIDDLE)
    assert f"linked at {MIDDLE + 1}" in finding.detail


def test_swapped_events_moved_with_their_links_are_reordered(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    for table, column in (("{events}", "{id}"), ("{chain}", "notification_id")):
        for old, new in ((MIDDLE, -1), (MIDDLE + 1, MIDDLE), (-1, MIDDLE + 1)):
            rows.run(f"UPDATE {table} SET {column} = %s WHERE {column} = %s", (new, old))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REORDERED, MIDDLE)


def test_an_event_moved_far_ahead_is_reordered(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    rows.run("UPDATE {events} SET {id} = %s WHERE {id} = %s", (1000, MIDDLE))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REORDERED, MIDDLE)
    assert f"linked at {MIDDLE} is stored at 1000" in finding.detail


def test_an_event_moved_before_the_first_is_reordered(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    rows.run("UPDATE {events} SET {id} = %s WHERE {id} = %s", (0, MIDDLE))
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REORDERED, 0)
    assert f"linked at {MIDDLE} is stored at 0" in finding.detail


def test_deleted_checkpoint_rows_are_reported(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    file_complaints(ledger, 2, prefix="later")
    report = _verify(ledger, checkpoint)
    later = sign_checkpoint(KEY, report.events, report.last_notification_id, report.head_hash)
    _record(ledger, later)
    assert _verify(ledger, checkpoint, later).outcome is Outcome.OK
    rows.run("DELETE FROM {checkpoints} WHERE last_notification_id = %s", (later.last_notification_id,))
    finding = _verify(ledger, checkpoint, later).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REMOVED, later.last_notification_id)
    assert "1 of the 2 checkpoints held" in finding.detail and "checkpoint table" in finding.detail
    rows.run("DELETE FROM {checkpoints}")
    finding = _verify(ledger, checkpoint, later).finding
    assert finding is not None and finding.outcome is Outcome.REMOVED and "none of the 2" in finding.detail
    assert _verify(ledger).outcome is Outcome.OK, "without held checkpoints there is nothing to compare"


def _bundle_of_a_case_with_four_events(ledger: CaseLedger) -> dict[str, Any]:
    (filed,) = file_complaints(ledger, 1, prefix="bundle")
    ledger.accept_complaint(filed.id, 1, SUPERVISOR)
    ledger.supervise(filed.id, 2, SUPERVISOR, "群众反映强烈")
    ledger.remind(filed.id, 3, SUPERVISOR, "请尽快办理")
    report = verify_log(_store(ledger))
    _record(ledger, sign_checkpoint(KEY, report.events, report.last_notification_id, report.head_hash))
    bundle = _store(ledger).evidence_bundle([filed.id])
    assert [e["originator_version"] for e in bundle["events"]] == [1, 2, 3, 4]
    assert verify_bundle(bundle, KEY.public_key()).outcome is Outcome.OK
    return bundle


def test_an_event_removed_from_a_bundle_is_reported(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, _, _ = world
    bundle = _bundle_of_a_case_with_four_events(ledger)
    second = bundle["events"][1]["notification_id"]
    without_event = dict(bundle, events=[e for e in bundle["events"] if e["notification_id"] != second])
    finding = verify_bundle(without_event, KEY.public_key()).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.REMOVED, second)
    without_both = dict(without_event, links=[k for k in bundle["links"] if k["notification_id"] != second])
    finding = verify_bundle(without_both, KEY.public_key()).finding
    assert finding is not None and finding.outcome is Outcome.REMOVED
    assert "versions 1, 3, 4" in finding.detail
    without_first = dict(
        bundle,
        events=bundle["events"][1:],
        links=[k for k in bundle["links"] if k["notification_id"] != bundle["events"][0]["notification_id"]],
    )
    finding = verify_bundle(without_first, KEY.public_key()).finding
    assert finding is not None and finding.outcome is Outcome.REMOVED and "versions 2, 3, 4" in finding.detail


def test_a_truncated_tail_is_caught_by_the_checkpoint(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    rows.run("DELETE FROM {events} WHERE {id} > %s", (15,))
    rows.run("DELETE FROM {chain} WHERE notification_id > %s", (15,))
    assert _verify(ledger).outcome is Outcome.OK
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.TRUNCATED, 15)
    assert f"signed {checkpoint.log_size} events" in finding.detail


def test_a_tail_cut_from_the_log_but_not_the_chain_is_truncated(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, _ = world
    rows.run("DELETE FROM {events} WHERE {id} > %s", (15,))
    finding = _verify(ledger).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.TRUNCATED, 16)


def test_an_event_inserted_outside_the_ledger_has_no_link(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, rows, checkpoint = world
    (row,) = rows.fetch("SELECT originator_id, originator_version, topic, state FROM {events} WHERE {id} = %s", (3,))
    rows.run(
        "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
        (row[0], row[1] + 100, row[2], row[3]),
    )
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.INSERTED, checkpoint.log_size + 1)


def test_a_consistently_recomputed_chain_differs_from_the_signed_head(
    world: tuple[CaseLedger, Rows, Checkpoint],
) -> None:
    ledger, rows, checkpoint = world
    rows.run("UPDATE {events} SET topic = %s WHERE {id} = %s", ("domain.complaint:Complaint.Closed", MIDDLE))
    stored = rows.fetch("SELECT {id}, originator_id, originator_version, topic, state FROM {events} ORDER BY {id}")
    links = extend(0, GENESIS, [(r[0], event_digest(_originator(r[1]), r[2], r[3], bytes(r[4]))) for r in stored])
    rows.run("DELETE FROM {chain}")
    with rows.sql() as db:
        for k in links:
            db.execute(
                rows._dialect("INSERT INTO {chain} VALUES (%s, %s, %s, %s, %s)"),
                (k.notification_id, k.seq, k.digest, k.prev_hash, k.hash),
            )
    assert _verify(ledger).outcome is Outcome.OK, "without a checkpoint a rewritten chain is consistent"
    finding = _verify(ledger, checkpoint).finding
    assert finding is not None and (finding.outcome, finding.position) == (Outcome.RECOMPUTED, checkpoint.log_size)


def test_a_forged_checkpoint_is_refused(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, _, checkpoint = world
    size = checkpoint.log_size
    document = checkpoint.to_json().replace(f'"log_size": {size}', f'"log_size": {size - 2}')
    finding = _verify(ledger, parse_checkpoint(document, "forged.json")).finding
    assert finding is not None and finding.outcome is Outcome.FORGED and "forged.json" in finding.detail
    other = sign_checkpoint(Ed25519PrivateKey.generate(), size, size, checkpoint.head_hash)
    finding = _verify(ledger, other).finding
    assert finding is not None and finding.outcome is Outcome.FORGED


def test_later_writes_keep_extending_a_verified_chain(world: tuple[CaseLedger, Rows, Checkpoint]) -> None:
    ledger, _, checkpoint = world
    file_complaints(ledger, 3, prefix="later")
    report = _verify(ledger, checkpoint)
    assert report.outcome is Outcome.OK and report.events > checkpoint.log_size and report.checkpoints == 1


def _originator(value: object) -> bytes:
    from uuid import UUID

    return UUID(str(value)).bytes
