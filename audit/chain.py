"""The hash chain over the log: pure functions, the same on every store.

Each stored event gets a *digest* of exactly the bytes the store holds for it (originator id,
originator version, topic, state) and a *link*: ``hash = H(prev_hash, seq, notification_id, digest)``,
where ``prev_hash`` is the hash of the previous stored event's link and ``seq`` counts the stored
events (1, 2, 3, …). Notification ids may have gaps; ``seq`` may not. The first link's
``prev_hash`` is :data:`GENESIS`.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

GENESIS = bytes(32)
_EVENT_DOMAIN = b"caseledger:event:1\x00"
_LINK_DOMAIN = b"caseledger:link:1\x00"
_LEN16 = struct.Struct(">H")
_VERSION_TOPIC = struct.Struct(">qI")
_SEQ_ID = struct.Struct(">qq")


@dataclass(frozen=True, slots=True)
class Link:
    """One event's place in the chain."""

    seq: int
    notification_id: int
    digest: bytes
    prev_hash: bytes
    hash: bytes


def originator_bytes(originator_id: UUID | str) -> bytes:
    """The canonical bytes of an originator id: a UUID's 16 bytes, or a text id's UTF-8."""
    return originator_id.bytes if isinstance(originator_id, UUID) else originator_id.encode("utf-8")


def event_digest(originator: bytes, originator_version: int, topic: str, state: bytes) -> bytes:
    """SHA-256 of one stored event's bytes; ``originator`` is from :func:`originator_bytes`."""
    encoded_topic = topic.encode("utf-8")
    return hashlib.sha256(
        b"".join(
            (
                _EVENT_DOMAIN,
                _LEN16.pack(len(originator)),
                originator,
                _VERSION_TOPIC.pack(originator_version, len(encoded_topic)),
                encoded_topic,
                state,
            )
        )
    ).digest()


def link_hash(prev_hash: bytes, seq: int, notification_id: int, digest: bytes) -> bytes:
    """The hash that binds an event's digest to its position and to everything before it."""
    return hashlib.sha256(_LINK_DOMAIN + prev_hash + _SEQ_ID.pack(seq, notification_id) + digest).digest()


def extend(seq: int, prev: bytes, events: Iterable[tuple[int, bytes]]) -> list[Link]:
    """The links of ``(notification_id, digest)`` pairs, in log order, after the link ``(seq, prev)``
    (``(0, GENESIS)`` for an empty log)."""
    links = []
    for notification_id, digest in events:
        seq += 1
        current = link_hash(prev, seq, notification_id, digest)
        links.append(Link(seq, notification_id, digest, prev, current))
        prev = current
    return links
