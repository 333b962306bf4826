"""The chain's hashing: every stored byte and the position count; gaps do not."""

from __future__ import annotations

from uuid import UUID

from audit.chain import GENESIS, event_digest, extend, link_hash, originator_bytes

ID = UUID("12345678-1234-5678-1234-567812345678")


def test_the_digest_covers_every_stored_field() -> None:
    base = event_digest(originator_bytes(ID), 1, "domain.complaint:Complaint.Registered", b"{}")
    variants = [
        event_digest(originator_bytes(UUID(int=ID.int + 1)), 1, "domain.complaint:Complaint.Registered", b"{}"),
        event_digest(originator_bytes(ID), 2, "domain.complaint:Complaint.Registered", b"{}"),
        event_digest(originator_bytes(ID), 1, "domain.complaint:Complaint.Closed", b"{}"),
        event_digest(originator_bytes(ID), 1, "domain.complaint:Complaint.Registered", b"{ }"),
        event_digest(originator_bytes("12345678123456781234567812345678"), 1, "x", b"{}"),
    ]
    assert len({base, *variants}) == 6


def test_links_follow_each_other_across_gaps() -> None:
    first = extend(0, GENESIS, [(1, b"a" * 32), (4, b"b" * 32)])
    more = extend(first[-1].seq, first[-1].hash, [(9, b"c" * 32)])
    assert [k.seq for k in (*first, *more)] == [1, 2, 3]
    assert first[0].prev_hash == GENESIS and first[1].prev_hash == first[0].hash and more[0].prev_hash == first[1].hash
    assert more[0].hash == link_hash(first[1].hash, 3, 9, b"c" * 32) != link_hash(first[1].hash, 3, 8, b"c" * 32)
