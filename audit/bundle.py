"""Evidence bundles: one case's stored events, their links, and the path that ties them to a signed
checkpoint, so a reviewer can check them offline with nothing but this file and the committee's key.

The path lists ``(seq, notification_id, digest)`` of every link from the case's first event up to
the checkpoint's head: digests only, never other cases' contents. Recomputing the chain along the
path from the first link's ``prev_hash`` must end in the checkpoint's signed head hash. Every link
must have its event, and each record's events must be its versions from 1 without a gap; a record's
last events removed from a bundle with their links leave no gap, and only ``audit verify`` on the
store shows them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.chain import Link, event_digest, link_hash
from audit.checkpoint import CheckpointMalformed, parse_checkpoint
from audit.keys import KeyFileError, key_id, parse_public_key
from audit.store import Evidence
from audit.verify import Finding, Outcome

FORMAT = "caseledger-evidence/1"


def build_bundle(evidence: Evidence) -> dict[str, Any]:
    """The bundle as JSON-ready data."""
    document, public_key = evidence.checkpoint or (None, None)
    return {
        "format": FORMAT,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": [
            {
                "notification_id": e.notification_id,
                "originator": e.originator.hex(),
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": base64.b64encode(e.state).decode("ascii"),
            }
            for e in evidence.events
        ],
        "links": [
            {
                "seq": k.seq,
                "notification_id": k.notification_id,
                "digest": k.digest.hex(),
                "prev_hash": k.prev_hash.hex(),
                "hash": k.hash.hex(),
            }
            for k in evidence.links
        ],
        "path": [[k.seq, k.notification_id, k.digest.hex()] for k in evidence.path],
        "checkpoint": None if document is None else json.loads(document),
        "public_key": public_key,
    }


@dataclass(frozen=True)
class BundleReport:
    finding: Finding | None
    events: int
    anchored: int
    """Events whose links lead, along the path, to the checkpoint's signed head."""
    key_id: str | None
    key_pinned: bool

    @property
    def outcome(self) -> Outcome:
        return Outcome.OK if self.finding is None else self.finding.outcome


def verify_bundle(bundle: dict[str, Any], public_key: Ed25519PublicKey | None = None) -> BundleReport:
    """Check every event against its link, every link's hash, and the path to the signed checkpoint.

    Without ``public_key`` the bundle's own key is used, which proves only that the bundle is
    consistent: compare the reported key id with the committee's record.
    """
    try:
        return _Check(bundle, public_key).run()
    except (KeyError, TypeError, ValueError, CheckpointMalformed, KeyFileError) as error:
        return BundleReport(Finding(Outcome.FORGED, None, f"the bundle cannot be read: {error}"), 0, 0, None, False)


class _Check:
    def __init__(self, bundle: dict[str, Any], public_key: Ed25519PublicKey | None) -> None:
        if bundle.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        self.pinned = public_key is not None
        embedded = bundle.get("public_key")
        self.key = public_key or (parse_public_key(embedded, "the bundle") if embedded else None)
        raw = bundle.get("checkpoint")
        self.checkpoint = None if raw is None else parse_checkpoint(json.dumps(raw), "the bundle's checkpoint")
        self.events = bundle["events"]
        self.links = {int(k["notification_id"]): _as_link(k) for k in bundle["links"]}
        self.path = [(int(s), int(n), bytes.fromhex(d)) for s, n, d in bundle["path"]]

    def _report(self, finding: Finding | None, anchored: int = 0) -> BundleReport:
        return BundleReport(
            finding, len(self.events), anchored, None if self.key is None else key_id(self.key), self.pinned
        )

    def run(self) -> BundleReport:
        if self.checkpoint is not None and (self.key is None or not self.checkpoint.signed_by(self.key)):
            return self._report(Finding(Outcome.FORGED, None, "the checkpoint's signature is not the key's"))
        digests: dict[int, bytes] = {}
        for event in self.events:
            nid = int(event["notification_id"])
            digest = event_digest(
                bytes.fromhex(event["originator"]),
                int(event["originator_version"]),
                str(event["topic"]),
                base64.b64decode(event["state"], validate=True),
            )
            link = self.links.get(nid)
            if link is None:
                return self._report(Finding(Outcome.INSERTED, nid, f"event {nid} has no link in the bundle"))
            if digest != link.digest:
                return self._report(Finding(Outcome.EDITED, nid, f"the bytes of event {nid} differ from its link"))
            if link_hash(link.prev_hash, link.seq, nid, digest) != link.hash:
                return self._report(Finding(Outcome.EDITED, nid, f"the link of event {nid} was altered"))
            digests[nid] = digest
        return self._complete(digests) or self._anchor(digests)

    def _complete(self, digests: dict[int, bytes]) -> BundleReport | None:
        """Every link has its event, and each record's events are its versions 1, 2, 3, … without a gap."""
        for nid in sorted(set(self.links) - set(digests)):
            return self._report(Finding(Outcome.REMOVED, nid, f"event {nid} has a link but is not in the bundle"))
        versions: dict[str, list[tuple[int, int]]] = {}
        for event in self.events:
            versions.setdefault(str(event["originator"]), []).append(
                (int(event["originator_version"]), int(event["notification_id"]))
            )
        for originator, held in versions.items():
            held.sort()
            for expected, (version, nid) in enumerate(held, start=1):
                if version != expected:
                    listed = ", ".join(str(v) for v, _ in held)
                    return self._report(
                        Finding(
                            Outcome.REMOVED,
                            nid,
                            f"the bundle holds versions {listed} of record {originator}: version {expected} is missing",
                        )
                    )
        return None

    def _anchor(self, digests: dict[int, bytes]) -> BundleReport:
        if self.checkpoint is None or not self.links:
            return self._report(None)
        first = min(self.links.values(), key=lambda k: k.seq)
        if first.seq > self.checkpoint.log_size:
            return self._report(None)
        running, expected_seq, anchored, last_nid = first.prev_hash, first.seq, 0, 0
        for seq, nid, digest in self.path:
            if seq != expected_seq:
                return self._report(Finding(Outcome.REMOVED, nid, f"the path skips from #{expected_seq} to #{seq}"))
            if nid in digests:
                if digests[nid] != digest:
                    return self._report(Finding(Outcome.EDITED, nid, f"event {nid} differs from the path's digest"))
                anchored += 1
            running = link_hash(running, seq, nid, digest)
            if nid in self.links and self.links[nid].hash != running:
                return self._report(Finding(Outcome.EDITED, nid, f"the link of event {nid} is not on the path"))
            expected_seq, last_nid = seq + 1, nid
        checkpoint = self.checkpoint
        if expected_seq - 1 != checkpoint.log_size or last_nid != checkpoint.last_notification_id:
            return self._report(
                Finding(Outcome.TRUNCATED, last_nid, f"the path ends at #{expected_seq - 1}, not at the checkpoint")
            )
        if running != checkpoint.head_hash:
            return self._report(
                Finding(Outcome.RECOMPUTED, last_nid, "the path does not lead to the checkpoint's signed head")
            )
        return self._report(None, anchored)


def _as_link(data: dict[str, Any]) -> Link:
    return Link(
        int(data["seq"]),
        int(data["notification_id"]),
        bytes.fromhex(data["digest"]),
        bytes.fromhex(data["prev_hash"]),
        bytes.fromhex(data["hash"]),
    )
