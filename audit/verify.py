"""Re-walk the whole log, recompute every link from the stored rows, and name the first thing wrong.

The walk merges the events and the chain in notification-id order, in batches, inside one
read transaction (a consistent snapshot while writers go on appending). It stops at the first
bad position; held checkpoints are checked as the walk passes their position, and at the end
each held checkpoint must still be in the store's checkpoint table (evidence bundles are anchored
to it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.chain import GENESIS, Link, event_digest, link_hash
from audit.checkpoint import Checkpoint, CheckpointMalformed, parse_checkpoint
from audit.store import AuditStore, LogSnapshot, RawEvent

BATCH = 10_000
FIRST_ID = -(2**63)
"""The walk starts below any notification id either store can hold, so an event moved to 0 or below is seen."""
MOVED_SEARCH = 1000
"""How many events without a link are looked through for one moved away from its linked position."""
T = TypeVar("T", RawEvent, Link)


class Outcome(Enum):
    """What verification found; the value is the exit status of ``caseledger audit verify``."""

    OK = 0
    EDITED = 3
    """An event's stored bytes (or its link) differ from what the chain recorded."""
    REMOVED = 4
    """A link has no event, the chain skips over a missing event, a bundle lacks one of a case's events,
    or a held checkpoint is missing from the checkpoint table."""
    REORDERED = 5
    """An event stands at another event's position."""
    INSERTED = 6
    """An event has no link: it was inserted outside the ledger, or its link was deleted."""
    TRUNCATED = 7
    """The log is shorter than a checkpoint, or the chain goes on after the last event."""
    RECOMPUTED = 8
    """The chain is consistent, but not the one a checkpoint signed: it was rewritten."""
    FORGED = 9
    """A checkpoint's signature is not the committee's key's, or the checkpoint is unreadable."""

    @property
    def exit_status(self) -> int:
        return self.value


@dataclass(frozen=True)
class Finding:
    outcome: Outcome
    position: int | None
    """The notification id where the problem shows (``None`` when it is not at a position)."""
    detail: str


@dataclass(frozen=True)
class Report:
    """The result of a walk: the first finding, or none, and how far the walk got."""

    finding: Finding | None
    events: int
    last_notification_id: int
    head_hash: bytes
    checkpoints: int
    seconds: float

    @property
    def outcome(self) -> Outcome:
        return Outcome.OK if self.finding is None else self.finding.outcome

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def check_signatures(checkpoints: Sequence[Checkpoint], public_key: Ed25519PublicKey) -> Finding | None:
    for checkpoint in checkpoints:
        if not checkpoint.signed_by(public_key):
            return Finding(
                Outcome.FORGED,
                checkpoint.last_notification_id,
                f"{checkpoint.name}: the signature is not that of the committee's key",
            )
    return None


def verify_log(
    store: AuditStore,
    checkpoints: Sequence[Checkpoint] = (),
    public_key: Ed25519PublicKey | None = None,
    batch: int = BATCH,
) -> Report:
    """Walk the whole log; with ``public_key``, first check each checkpoint's signature."""
    started = time.perf_counter()
    if public_key is not None and (forged := check_signatures(checkpoints, public_key)) is not None:
        return Report(forged, 0, 0, GENESIS, 0, time.perf_counter() - started)
    with store.snapshot() as snapshot:
        walk = _Walk(snapshot, sorted(checkpoints, key=lambda c: c.last_notification_id))
        finding = walk.run(batch) or _unrecorded(snapshot, checkpoints)
    return Report(finding, walk.seq, walk.last_id, walk.prev, walk.checked, time.perf_counter() - started)


def _unrecorded(snapshot: LogSnapshot, held: Sequence[Checkpoint]) -> Finding | None:
    """A held checkpoint that the store's checkpoint table no longer has: its row was deleted or changed."""
    recorded = set()
    for document in snapshot.recorded_checkpoints():
        try:
            checkpoint = parse_checkpoint(document)
        except CheckpointMalformed:
            continue
        recorded.add((checkpoint.signed_bytes(), checkpoint.signature))
    missing = [c for c in held if (c.signed_bytes(), c.signature) not in recorded]
    if not missing:
        return None
    first = min(missing, key=lambda c: c.last_notification_id)
    kept = len(held) - len(missing)
    share = f"none of the {len(held)}" if kept == 0 else f"only {kept} of the {len(held)}"
    return Finding(
        Outcome.REMOVED,
        first.last_notification_id,
        f"{share} checkpoints held {'is' if kept == 0 else 'are'} in the store's checkpoint table ({first.name} "
        "is missing): its rows were deleted or changed, and evidence bundles lose their anchor",
    )


def _pages(read: Callable[[int, int], list[T]], key: Callable[[T], int], batch: int) -> Iterator[T]:
    after = FIRST_ID
    while True:
        page = read(after, batch)
        yield from page
        if len(page) < batch:
            return
        after = key(page[-1])


class _Walk:
    def __init__(self, snapshot: LogSnapshot, checkpoints: list[Checkpoint]) -> None:
        self.snapshot = snapshot
        self.pending = [c for c in checkpoints if c.log_size > 0]
        self.seq, self.prev, self.last_id = 0, GENESIS, 0
        self.checked = len(checkpoints) - len(self.pending)

    def run(self, batch: int) -> Finding | None:
        events = _pages(self.snapshot.events_after, lambda e: e.notification_id, batch)
        links = _pages(self.snapshot.links_after, lambda k: k.notification_id, batch)
        event, link = next(events, None), next(links, None)
        digest_of, hash_of = event_digest, link_hash
        while event is not None or link is not None:
            if link is None or (event is not None and event.notification_id < link.notification_id):
                assert event is not None
                return self._unlinked(event)
            if event is None or link.notification_id < event.notification_id:
                return self._eventless(link, event is None)
            nid = event.notification_id
            if self.pending and self.pending[0].last_notification_id < nid:
                return self._missed_checkpoint(nid)
            digest = digest_of(event.originator, event.originator_version, event.topic, event.state)
            seq = self.seq + 1
            if link.prev_hash != self.prev or link.seq != seq or digest != link.digest:
                return self._diagnose(event, link, digest)
            if hash_of(self.prev, seq, nid, digest) != link.hash:
                return Finding(Outcome.EDITED, nid, f"the link of event {nid} was altered (its hash does not match)")
            self.seq, self.prev, self.last_id = seq, link.hash, nid
            while self.pending and self.pending[0].last_notification_id == nid:
                if found := self._at_checkpoint():
                    return found
            event, link = next(events, None), next(links, None)
        return self._end()

    def _unlinked(self, event: RawEvent) -> Finding:
        digest = event_digest(event.originator, event.originator_version, event.topic, event.state)
        belongs_at = self.snapshot.link_with_digest(digest)
        if belongs_at is not None and belongs_at != event.notification_id:
            return _moved(belongs_at, event.notification_id, event.notification_id)
        return Finding(
            Outcome.INSERTED,
            event.notification_id,
            f"event {event.notification_id} has no link: it was inserted outside the ledger, or its link deleted",
        )

    def _eventless(self, link: Link, log_ended: bool) -> Finding:
        nid = link.notification_id
        if log_ended:
            return Finding(
                Outcome.TRUNCATED,
                nid,
                f"the log ends after {self.seq} events (at {self.last_id}) but the chain goes on to "
                f"event {nid} (#{link.seq}): the tail was removed",
            )
        for moved in self.snapshot.unlinked_events(MOVED_SEARCH):
            if event_digest(moved.originator, moved.originator_version, moved.topic, moved.state) == link.digest:
                return _moved(nid, moved.notification_id, nid)
        return Finding(Outcome.REMOVED, nid, f"event {nid} (#{link.seq} in the chain) was removed from the log")

    def _diagnose(self, event: RawEvent, link: Link, digest: bytes) -> Finding:
        nid = event.notification_id
        if link.prev_hash != self.prev:
            came_after = self.snapshot.link_with_hash(link.prev_hash)
            if came_after is not None and came_after != self.last_id:
                return Finding(
                    Outcome.REORDERED,
                    nid,
                    f"event {nid} was linked after event {came_after}, but now follows event {self.last_id}",
                )
            return Finding(
                Outcome.REMOVED,
                nid,
                f"the chain skips: the event linked before {nid} (after {self.last_id}) is missing",
            )
        if digest != link.digest:
            belongs_at = self.snapshot.link_with_digest(digest)
            if belongs_at is not None and belongs_at != nid:
                return Finding(Outcome.REORDERED, nid, f"the event stored at {nid} is the one linked at {belongs_at}")
            return Finding(Outcome.EDITED, nid, f"the stored bytes of event {nid} differ from its link")
        return Finding(Outcome.EDITED, nid, f"the link of event {nid} was altered (sequence #{link.seq})")

    def _missed_checkpoint(self, nid: int) -> Finding:
        checkpoint = self.pending[0]
        return Finding(
            Outcome.RECOMPUTED,
            checkpoint.last_notification_id,
            f"{checkpoint.name} signed a head at event {checkpoint.last_notification_id}, which is no longer in the "
            f"log (the walk went from {self.last_id} to {nid}): the chain was rewritten",
        )

    def _at_checkpoint(self) -> Finding | None:
        checkpoint = self.pending.pop(0)
        self.checked += 1
        if checkpoint.head_hash == self.prev and checkpoint.log_size == self.seq:
            return None
        return Finding(
            Outcome.RECOMPUTED,
            self.last_id,
            f"{checkpoint.name} signed {checkpoint.log_size} events ending in {checkpoint.head_hash.hex()[:16]}…; "
            f"the log now has {self.seq} ending in {self.prev.hex()[:16]}…: the chain up to {self.last_id} was "
            "rewritten",
        )

    def _end(self) -> Finding | None:
        if not self.pending:
            return None
        checkpoint = self.pending[0]
        return Finding(
            Outcome.TRUNCATED,
            self.last_id,
            f"the log ends after {self.seq} events (at {self.last_id}); {checkpoint.name} signed "
            f"{checkpoint.log_size} events up to {checkpoint.last_notification_id}",
        )


def _moved(linked_at: int, stored_at: int, position: int) -> Finding:
    return Finding(
        Outcome.REORDERED,
        position,
        f"the event linked at {linked_at} is stored at {stored_at}: its notification id was changed",
    )
