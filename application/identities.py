"""Reading and erasing confidential identities: each reading recorded with its reason, each
erasure recorded before the person's key is destroyed (see :mod:`application.sealing`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from application.core import CommandResult, LedgerCore
from application.errors import ErasureIncomplete, NotFound
from application.permissions import authorize
from application.ports import IdentityKeyStore
from application.queries import describe_event, party_view
from application.sealing import key_store, reveal_parties
from domain.access import AccessLog, ErasedIdentity
from domain.actor import Actor
from domain.case import Case


class IdentityUseCases(LedgerCore):
    def read_identity(
        self, actor: Actor, case_id: UUID, reason: str, *, at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The case's parties with protected identities in clear, for a reader the law allows;
        the reading is recorded with its reason before anything is shown."""
        authorize(actor, "read_identity")
        case = self.load(Case, case_id, "case")
        authorize(actor, "read_identity", case)
        parties = reveal_parties(self, case.parties)
        party_ids = [p.party_id for p in parties if p.role.is_protected]
        if party_ids:
            log_id = AccessLog.create_id(case_id)
            log = self.load(AccessLog, log_id, "access log") if self.exists(log_id) else AccessLog(case_id=case_id)
            log.record_reading(actor, self.moment(at), party_ids, reason)
            self.commit(log)
        return [party_view(p, True) for p in parties]

    def read_access_log(self, actor: Actor, case_id: UUID) -> list[dict[str, Any]]:
        """Who read the case's protected identities, when and why (discipline)."""
        authorize(actor, "read_access_log")
        log_id = AccessLog.create_id(case_id)
        if not self.exists(log_id):
            return []
        return [describe_event(e, False) for e in self.events_of(log_id)[1:]]

    def erase_identity(self, actor: Actor, person_id: str, reason: str, *, at: datetime | None = None) -> CommandResult:
        """Destroy a person's identity key where the law requires it; recorded first, then erased, then
        its bytes purged from the store's files (see :meth:`purge_erased_keys`).

        Running it again for an erased person records nothing more and purges again. Raises
        :class:`ErasureIncomplete` when the purge could not be done now.
        """
        authorize(actor, "erase_identity")
        record_id = ErasedIdentity.create_id(person_id)
        keys = key_store(self)
        if not self.exists(record_id) and keys.identity_key(person_id) is None:
            raise NotFound(f"identity key of person {person_id!r} (erasure record)", record_id)
        if self.exists(record_id):
            result = CommandResult(record_id, self.load(ErasedIdentity, record_id, "erasure").version, None)
        else:
            result = self.commit(ErasedIdentity.erase(person_id, actor, self.moment(at), reason))
        keys.erase_identity_key(person_id)
        self._purge(keys, f"the erasure of {person_id} is recorded and its key deleted")
        return result

    def purge_erased_keys(self) -> None:
        """Remove the bytes of every deleted identity key from the store's files: the maintenance step,
        run at the server's shell, that finishes an erasure the store could not purge at once. It
        erases nothing and records nothing."""
        self._purge(key_store(self), "the erased keys' rows are deleted")

    @staticmethod
    def _purge(keys: IdentityKeyStore, done: str) -> None:
        reason = keys.purge_erased_keys()
        if reason is not None:
            raise ErasureIncomplete(
                f"{done}, but its bytes may remain in the store's files until the purge succeeds ({reason}): "
                "retry, or run `caseledger identities purge`"
            )
