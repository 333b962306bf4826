"""Stored events name their class by topic; no topic once written may stop resolving."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from eventsourcing.utils import resolve_topic

from application.config import Settings
from application.errors import CaseLedgerError
from application.topics import current_topics, register_renamed_topics
from bootstrap.ledger import build_ledger
from domain.complaint import Complaint
from domain.outcomes import PartyRole
from domain.values import Location, Party
from tests.support import CLERK

KNOWN = Path(__file__).with_name("event_topics.txt")


def known_topics() -> list[str]:
    return [line for line in KNOWN.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("topic", known_topics())
def test_every_topic_ever_written_still_resolves(topic: str) -> None:
    assert isinstance(resolve_topic(topic), type)


def test_every_current_topic_is_on_the_list() -> None:
    missing = current_topics() - set(known_topics())
    assert not missing, f"add these to {KNOWN.name}: {sorted(missing)}"


def test_events_stored_under_a_renamed_class_still_load_once_the_old_topic_is_registered(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/topics.db")
    ledger = build_ledger(settings, create_tables=True)
    filed = ledger.file_complaint(
        "old-topic",
        CLERK,
        category="noise",
        channel="hotline",
        location=Location("新河社区", "新河路8号"),
        description="夜间施工噪声",
        parties=[Party(PartyRole.COMPLAINANT, "周某")],
    )
    ledger.close()
    old = "domain.complaints_v0:Complaint.Registered"
    with sqlite3.connect(tmp_path / "topics.db") as db:
        db.execute("UPDATE stored_events SET topic = ? WHERE topic LIKE '%Complaint.Registered'", (old,))

    reader = build_ledger(settings)
    with pytest.raises(CaseLedgerError):
        reader.view_case(CLERK, filed.id)
    register_renamed_topics({old: "domain.complaint:Complaint.Registered"})
    assert reader.view_case(CLERK, filed.id)["number"] == filed.number
    assert isinstance(reader.repository.get(filed.id), Complaint)
    reader.close()
