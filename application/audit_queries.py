"""What the discipline committee reads: one user's actions, the registers of rulings and clearings,
and a case's evidence bundle, checkable offline against a signed checkpoint.

The registers and the activity report scan the log (no projection keeps them yet); the scan reads
raw notifications in pages and decodes only the events it needs.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import TopicError, resolve_topic

from application.core import LedgerCore, store_errors
from application.permissions import authorize
from application.queries import describe_event, plain
from domain.access import AccessLog
from domain.actor import Actor
from domain.case import Case
from domain.clearing import Clearing
from domain.errors import InvalidValue
from domain.time import require_aware
from domain.tolerance import ToleranceRuling


class AuditQueries(LedgerCore):
    def read_user_activity(self, actor: Actor, user_id: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Everything ``user_id`` recorded with ``since <= at < until``, in log order (identities masked)."""
        authorize(actor, "read_user_activity")
        since, until = require_aware(since, "since"), require_aware(until, "until")
        if until <= since:
            raise InvalidValue("until", "must be later than since", zh="应晚于 since")
        needle = b'"user_id":' + json.dumps(user_id, ensure_ascii=False).encode("utf-8")
        plain_state = self.mapper.cipher is None and self.mapper.compressor is None
        found = []
        for notification in self.scan_notifications(lambda n: not plain_state or needle in n.state):
            event: Any = self.mapper.to_domain_event(notification)
            who = getattr(event, "actor", None)
            at = getattr(event, "at", None)
            moment: datetime = at if isinstance(at, datetime) else event.timestamp
            if isinstance(who, Actor) and who.user_id == user_id and since <= moment < until:
                found.append(self._described(notification, event))
        return found

    def read_ruling_register(self, actor: Actor, cadre_id: str | None = None) -> list[dict[str, Any]]:
        """Tolerated-error rulings per cadre (容错免责台账), each ruling's current state, oldest first."""
        authorize(actor, "read_ruling_register")
        return self._register(ToleranceRuling, "rulings", cadre_id)

    def read_clearing_register(self, actor: Actor, cadre_id: str | None = None) -> list[dict[str, Any]]:
        """Clearings of falsely accused cadres per cadre (澄清正名台账), oldest first."""
        authorize(actor, "read_clearing_register")
        return self._register(Clearing, "clearings", cadre_id)

    def export_case_evidence(self, actor: Actor, case_id: UUID) -> dict[str, Any]:
        """The case's stored events (and its identity readings) with their chain links, the path to the
        latest signed checkpoint and the public key: ``caseledger audit verify-bundle`` checks it offline.

        Protected identities are in it only sealed, as the log stores them."""
        authorize(actor, "export_case_evidence")
        case = self.load(Case, case_id, "case")
        with store_errors():
            bundle = self.evidence.evidence_bundle([case_id, AccessLog.create_id(case_id)])
        bundle["subject"] = {"case_id": str(case_id), "number": case.number, "kind": plain(case.KIND)}
        return bundle

    def read_chain_status(self, actor: Actor) -> dict[str, Any]:
        """The chain's head and the latest recorded checkpoint (unverified: run ``audit verify``)."""
        authorize(actor, "read_chain_status")
        with store_errors():
            head, latest = self.evidence.chain_head(), self.evidence.latest_checkpoint()
        return {
            "log_size": 0 if head is None else head.seq,
            "last_notification_id": 0 if head is None else head.notification_id,
            "head_hash": None if head is None else head.hash.hex(),
            "latest_checkpoint": None if latest is None else json.loads(latest[0]),
        }

    # -- helpers ------------------------------------------------------------------------

    def _register(
        self, kind: type[ToleranceRuling | Clearing], noun: str, cadre_id: str | None
    ) -> list[dict[str, Any]]:
        created = (
            n for n in self.scan_notifications(lambda n: n.originator_version == 1) if _is_event_of(n.topic, kind)
        )
        cadres: dict[str, dict[str, Any]] = {}
        for notification in created:
            record = self.load(kind, UUID(str(notification.originator_id)), noun[:-1])
            if cadre_id is not None and record.cadre_id != cadre_id:
                continue
            entry = cadres.setdefault(
                record.cadre_id, {"cadre_id": record.cadre_id, "cadre_name": record.cadre_name, noun: []}
            )
            entry[noun].append(_summary(record, notification.id))
        return sorted(cadres.values(), key=lambda c: str(c["cadre_id"]))

    def _described(self, notification: Notification, event: Any) -> dict[str, Any]:
        described = describe_event(event, False)
        owner = type(event).__qualname__.rpartition(".")[0]
        return {"position": notification.id, "aggregate_id": str(notification.originator_id), "aggregate": owner} | (
            described
        )


def _is_event_of(topic: str, kind: type) -> bool:
    try:
        event_class = resolve_topic(topic)
    except TopicError:
        return False
    return isinstance(event_class, type) and issubclass(event_class, kind.Event)  # type: ignore[attr-defined]


def _summary(record: Any, position: int) -> dict[str, Any]:
    state = {k: v for k, v in vars(record).items() if not k.startswith("_")}
    return plain(state | {"id": record.id, "version": record.version, "position": position})  # type: ignore[no-any-return]
