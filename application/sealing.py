"""Confidential identities (信访工作条例 Art. 30): sealed with a key per person before they reach the log.

A complainant's or whistleblower's name, phone and id number are stored as
``enc:v1:<person id>:<AES-256-GCM ciphertext>``; the person id is the party's ``party_id`` and the
key lives in the store's identity-key table, apart from the chained log. Erasing the key makes the
identity unreadable in every event and export of the log, while the log and its hash chain stay
exactly as they were. Only the registering clerk, a handler of the case's unit and discipline
read identities in clear, each reading recorded with its reason.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.core import LedgerCore, store_errors
from application.errors import StoreUnavailable
from application.ports import IdentityKeyStore
from domain.values import SEALED_PREFIX, Party

SEAL = f"{SEALED_PREFIX}v1:"
ERASED = "〔身份已依法删除 / identity erased〕"
UNREADABLE = "〔无法解密 / unreadable〕"
_FIELDS = ("name", "phone", "id_number")


def key_store(app: LedgerCore) -> IdentityKeyStore:
    """The ledger's identity keys, their failures told as the application's own errors."""
    return _Translated(app.identity_keys)


class _Translated:
    """The key store, its failures told as the application's own errors."""

    def __init__(self, store: IdentityKeyStore) -> None:
        self._store = store

    def identity_key(self, person_id: str) -> bytes | None:
        with store_errors():
            return self._store.identity_key(person_id)

    def issue_identity_key(self, person_id: str, key: bytes) -> bytes:
        with store_errors():
            return self._store.issue_identity_key(person_id, key)

    def erase_identity_key(self, person_id: str) -> bool:
        with store_errors():
            return self._store.erase_identity_key(person_id)

    def purge_erased_keys(self) -> str | None:
        try:
            with store_errors():
                return self._store.purge_erased_keys()
        except StoreUnavailable as error:
            return str(error)


def is_sealed(value: str) -> bool:
    return value.startswith(SEAL)


def _seal(key: bytes, person_id: str, field: str, text: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, text.encode("utf-8"), f"{person_id}:{field}".encode())
    return f"{SEAL}{person_id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii').rstrip('=')}"


def _unseal(key: bytes, field: str, value: str) -> str:
    person_id, _, encoded = value.removeprefix(SEAL).partition(":")
    data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    return AESGCM(key).decrypt(data[:12], data[12:], f"{person_id}:{field}".encode()).decode("utf-8")


def person_of(party: Party) -> str | None:
    """The person id a sealed party's identity is keyed by, or None for a party in clear."""
    if not is_sealed(party.name):
        return None
    return party.name.removeprefix(SEAL).partition(":")[0]


def seal_party(party: Party, person_id: str, key: bytes) -> Party:
    name, phone, id_number = (_seal(key, person_id, f, getattr(party, f)) if getattr(party, f) else "" for f in _FIELDS)
    return dataclasses.replace(party, party_id=person_id, name=name, phone=phone, id_number=id_number)


def reveal_party(party: Party, key: bytes | None) -> Party:
    """The party in clear; its identity reads as erased when its key is gone."""
    if not is_sealed(party.name):
        return party
    if key is None:
        return dataclasses.replace(party, name=ERASED, phone="", id_number="")
    try:
        name, phone, id_number = (_unseal(key, f, getattr(party, f)) if getattr(party, f) else "" for f in _FIELDS)
    except (InvalidTag, ValueError):
        return dataclasses.replace(party, name=UNREADABLE, phone="", id_number="")
    return dataclasses.replace(party, name=name, phone=phone, id_number=id_number)


def protect_parties(app: LedgerCore, parties: Sequence[Party], previous: Sequence[Party] = ()) -> list[Party]:
    """Seal every protected party's identity; a corrected party who is the same person as one in
    ``previous`` (same role, and same name or id number) keeps that person's id and key, and a party
    of ``previous`` passed on unchanged stays as it was sealed."""
    if not any(p.role.is_protected for p in parties):
        return list(parties)
    store = key_store(app)
    earlier = [p for p in previous if p.role.is_protected]
    known = list(zip(earlier, reveal_parties(app, earlier), strict=True))
    protected = []
    for party in parties:
        if not party.role.is_protected or party in earlier:
            protected.append(party)
            continue
        same = (
            sealed.party_id
            for sealed, clear in known
            if clear.role is party.role
            and (clear.name == party.name or bool(party.id_number and clear.id_number == party.id_number))
        )
        person_id = next(same, party.party_id)
        key = store.issue_identity_key(person_id, AESGCM.generate_key(bit_length=256))
        protected.append(seal_party(party, person_id, key))
    return protected


def reveal_parties(app: LedgerCore, parties: Sequence[Party]) -> list[Party]:
    """The parties with every sealed identity decrypted (or marked erased)."""
    if not any(is_sealed(p.name) for p in parties):
        return list(parties)
    store = key_store(app)
    keys: dict[str, bytes | None] = {}
    revealed = []
    for party in parties:
        person = person_of(party)
        if person is not None and person not in keys:
            keys[person] = store.identity_key(person)
        revealed.append(reveal_party(party, None if person is None else keys[person]))
    return revealed
