"""Signed checkpoints: the chain's head at one moment, signed by the discipline committee's key.

A checkpoint is a small JSON file the committee keeps outside the database. Whoever later
rewrites the log and recomputes the whole chain cannot produce the head it signed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.chain import GENESIS
from audit.keys import key_id, signature_valid

FORMAT = "caseledger-checkpoint/1"


class CheckpointMalformed(Exception):
    """A checkpoint document cannot be read."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as signed: how many events, the last notification id, and the head hash."""

    log_size: int
    last_notification_id: int
    head_hash: bytes
    signed_at: str
    key_id: str
    signature: bytes
    source: str = ""

    def payload(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "log_size": self.log_size,
            "last_notification_id": self.last_notification_id,
            "head_hash": self.head_hash.hex(),
            "signed_at": self.signed_at,
            "key_id": self.key_id,
        }

    def signed_bytes(self) -> bytes:
        return json.dumps(self.payload(), sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps(self.payload() | {"signature": base64.b64encode(self.signature).decode()}, indent=2) + "\n"

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        return self.key_id == key_id(key) and signature_valid(key, self.signature, self.signed_bytes())

    @property
    def name(self) -> str:
        return self.source or f"checkpoint at {self.last_notification_id}"


def sign_checkpoint(
    private_key: Ed25519PrivateKey, log_size: int, last_notification_id: int, head_hash: bytes
) -> Checkpoint:
    unsigned = Checkpoint(
        log_size=log_size,
        last_notification_id=last_notification_id,
        head_hash=head_hash if log_size else GENESIS,
        signed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        key_id=key_id(private_key.public_key()),
        signature=b"",
    )
    signature = private_key.sign(unsigned.signed_bytes())
    return Checkpoint(**{**unsigned.__dict__, "signature": signature})


def parse_checkpoint(text: str, source: str = "") -> Checkpoint:
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        return Checkpoint(
            log_size=_count(data["log_size"]),
            last_notification_id=_count(data["last_notification_id"]),
            head_hash=bytes.fromhex(data["head_hash"]),
            signed_at=str(data["signed_at"]),
            key_id=str(data["key_id"]),
            signature=base64.b64decode(data["signature"], validate=True),
            source=source,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointMalformed(f"{source or 'checkpoint'}: {error}") from None


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a non-negative whole number, got {value!r}")
    return value


def read_checkpoint(path: Path) -> Checkpoint:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CheckpointMalformed(f"{path}: {error}") from None
    return parse_checkpoint(text, str(path))


def write_checkpoint(checkpoint: Checkpoint, directory: Path) -> Path:
    """Write the checkpoint into ``directory`` under a name that sorts by log position."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{checkpoint.last_notification_id:012d}-{checkpoint.signed_at[:19]}.json"
    path = path.with_name(path.name.replace(":", ""))
    path.write_text(checkpoint.to_json(), encoding="utf-8")
    return path
