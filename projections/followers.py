"""Whether each projection is being followed: a heartbeat its follower writes, and what readers make of it.

A follower (``caseledger projections run``, or the child ``caseledger serve`` starts on SQLite)
records, at most every :data:`HEARTBEAT_SECONDS`, the moment it last finished a pass over the log
with nothing left to apply, by the database's clock (the followers and the web workers may run on
different hosts). A projection whose follower has not done so for :data:`STALE_SECONDS` is *stale*:
its follower is stopped, hung, failing, or too slow to catch up, and lists and queues miss what
was written since. Reading every projection's state is one small query, cheap enough for ``/health``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.errors import StoreNotInitialised
from projections.store import Cursor, ReadStore

HEARTBEAT_SECONDS = 5.0
"""How often a follower that has caught up says so (one small UPDATE)."""
STALE_SECONDS = 30.0
"""How long a projection may go without its follower catching up before it is reported stale."""
REBUILDING = -1
"""The tracked position of a projection while an aggregate-order rebuild runs: followers wait."""

FOLLOWERS_DDL = "CREATE TABLE IF NOT EXISTS projection_followers (name text PRIMARY KEY, seen_at double precision)"
FOLLOWER_ROW = "INSERT INTO projection_followers (name) VALUES (%s) ON CONFLICT (name) DO NOTHING"
_BEAT = "UPDATE projection_followers SET seen_at = {now} WHERE name = %s"
_STATES = (
    "SELECT t.name, t.position, t.tables, f.seen_at, {now}, r.name FROM projection_tracking t"
    " LEFT JOIN projection_followers f ON f.name = t.name LEFT JOIN projection_rebuilds r ON r.name = t.name"
)

FOLLOWING = "following"
STALE = "stale"
REBUILDING_STATE = "rebuilding"
OUTDATED = "outdated"
NOT_SET_UP = "not set up"


@dataclass(frozen=True)
class FollowerState:
    """One projection as its readers see it: how far it has got and whether anyone is moving it on."""

    name: str
    state: str
    """:data:`FOLLOWING`, :data:`STALE`, :data:`REBUILDING_STATE`, :data:`OUTDATED` or :data:`NOT_SET_UP`."""
    position: int | None
    """The last log position applied (None while an aggregate-order rebuild replays, or before set-up)."""
    behind: int
    """How many log positions it is behind the head (ids, not events: ids have gaps)."""
    seen_seconds_ago: float | None
    """How long ago its follower last caught up (None: never)."""

    @property
    def current(self) -> bool:
        return self.state == FOLLOWING

    def describe(self) -> str:
        """One line for people: what is wrong, for how long, and how far behind."""
        seen = "never seen" if self.seen_seconds_ago is None else f"last caught up {self.seen_seconds_ago:.0f} s ago"
        if self.state == STALE:
            return f"stale: {seen}, {self.behind} behind the log; is `caseledger projections run` up?"
        if self.state == OUTDATED:
            return f"outdated: run `caseledger projections rebuild {self.name}`"
        if self.state == NOT_SET_UP:
            return "not set up: run `caseledger db init`"
        return f"{self.state}: {seen}"


def beat(cursor: Cursor, store: ReadStore, name: str) -> None:
    """Record that ``name``'s follower has just caught up with the log."""
    cursor.execute(_BEAT.format(now=store.now_epoch), (name,))


def follower_states(store: ReadStore, fingerprints: Mapping[str, str], head: int) -> list[FollowerState]:
    """The state of each projection in ``fingerprints`` (name → the definition this code has of it)."""
    try:
        rows = {str(row[0]): row for row in store.fetch(_STATES.format(now=store.now_epoch))}
    except StoreNotInitialised:  # the runners' tables are missing: every projection is
        rows = {}
    states = []
    for name, fingerprint in fingerprints.items():
        row = rows.get(name)
        if row is None:
            states.append(FollowerState(name, NOT_SET_UP, None, head, None))
            continue
        _, position, tables, seen_at, now, rebuild = row
        ago = None if seen_at is None else max(0.0, float(now) - float(seen_at))
        position = None if int(position) == REBUILDING else int(position)
        behind = head if position is None else max(0, head - position)
        if rebuild is not None:
            state = REBUILDING_STATE
        elif tables != fingerprint:
            state = OUTDATED
        elif ago is None or ago > STALE_SECONDS:
            state = STALE
        else:
            state = FOLLOWING
        states.append(FollowerState(name, state, position, behind, ago))
    return states
