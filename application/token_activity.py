"""What authentication keeps beside the log: the current versions of a token and its user, read in one
query on every request (so a revocation anywhere takes effect on the next request in every process),
and when each token was last used. The implementation is infrastructure, chosen by topic."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import resolve_topic

TOKEN_ACTIVITY = "storage.token_activity:TokenActivityTable"


class TokenActivity(Protocol):
    def create_table(self) -> None:
        """Create the last-used table (``caseledger db init``)."""

    def versions(self, first: UUID, second: UUID) -> dict[UUID, int]:
        """The current version of each of the two aggregates (absent: no such aggregate)."""

    def record_use(self, token_id: UUID, at: datetime) -> None:
        """Note that the token authenticated at ``at`` (never moves a later time back)."""

    def last_used(self) -> dict[UUID, datetime]:
        """When each token that was ever used was last used."""


def token_activity(recorder: Any, topic: str = TOKEN_ACTIVITY) -> TokenActivity:
    """The token activity of the ledger's store, built over its recorder's datastore."""
    activity: TokenActivity = resolve_topic(topic)(recorder)
    return activity
