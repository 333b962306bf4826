"""The read models a process answers queues and statistics from, and a runner per projection to wait on."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidValue
from projections.followers import FollowerState, follower_states
from projections.queues import WorkQueues
from projections.runner import ProjectionRunner
from projections.statistics import Statistics
from projections.store import ReadStore


@dataclass(frozen=True)
class ReadModels:
    """The read store, the queues and statistics over it, and a runner per projection, by name."""

    store: ReadStore
    queues: WorkQueues
    statistics: Statistics
    runners: dict[str, ProjectionRunner]

    def reached(self, projection: str, position: int, timeout: float) -> bool:
        """Whether ``projection`` has applied the log up to ``position``, waiting up to ``timeout`` seconds."""
        return self.runners[projection].wait_for(position, timeout)

    def position(self, projection: str) -> int:
        """The log position ``projection`` has applied."""
        return self.runners[projection].position()

    def followers(self, head: int) -> list[FollowerState]:
        """Each projection's state with the log at ``head`` (one small query)."""
        return follower_states(self.store, {name: r.projection.fingerprint() for name, r in self.runners.items()}, head)

    def caught_up(self, projection: str, position: int, timeout: float) -> bool:
        """Whether ``projection`` reaches ``position`` within ``timeout`` seconds.

        A position beyond the end of the log was never written, so it is refused rather than waited for.
        """
        head = self.runners[projection].head()
        if position > head:
            raise InvalidValue("min_position", f"is beyond the end of the log ({head})", zh=f"超出了日志末尾（{head}）")
        return self.reached(projection, position, timeout)
