"""Event topics are stored with every event, so a moved or renamed class must keep its old topic.

When an aggregate or event class moves or is renamed, add ``old topic -> new topic`` to
:data:`RENAMED`; the ledger registers them at start, so old logs keep loading.
``tests/unit/event_topics.txt`` lists every topic ever written, and a test checks each still resolves.
"""

from __future__ import annotations

from collections.abc import Mapping

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic, register_topic, resolve_topic

from domain.access import AccessLog, ErasedIdentity
from domain.accounts import AccessToken, User
from domain.clearing import Clearing
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.registers.categories import Category
from domain.registers.keeping import RegisterKept
from domain.registers.offices import Office
from domain.registers.places import Place
from domain.registers.units import Unit
from domain.tolerance import ToleranceRuling

AGGREGATES: tuple[type, ...] = (
    Complaint,
    Dispute,
    EnforcementCase,
    ToleranceRuling,
    Clearing,
    User,
    AccessToken,
    AccessLog,
    ErasedIdentity,
    Office,
    Unit,
    Place,
    Category,
    RegisterKept,
)

RENAMED: dict[str, str] = {}


def register_renamed_topics(renamed: Mapping[str, str] = RENAMED) -> None:
    """Make each old topic resolve to the class that now carries it."""
    for old, new in renamed.items():
        register_topic(old, resolve_topic(new))


def current_topics() -> set[str]:
    """The topic of every aggregate class and every event class they can record."""
    topics: set[str] = set()
    for aggregate in AGGREGATES:
        topics.add(get_topic(aggregate))
        for klass in aggregate.__mro__:
            for value in vars(klass).values():
                if isinstance(value, type) and issubclass(value, CanMutateAggregate) and _is_recorded(value):
                    topics.add(get_topic(value))
    return topics


def _is_recorded(event_class: type) -> bool:
    name = event_class.__name__
    return name not in {"Event", "Created", "Snapshot"} and event_class.__module__.startswith("domain.")
