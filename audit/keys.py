"""The discipline committee's Ed25519 signing key, kept in files outside the database."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyFileError(Exception):
    """A key file is missing, unreadable, of the wrong kind, or would be overwritten."""


def generate_key(out: Path) -> Path:
    """Write a new private key to ``out`` (mode 0600, never overwriting) and its public key beside it
    as ``out.pub``; return the public key's path."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_path = out.with_name(out.name + ".pub")
    _write_new(out, private, 0o600)
    _write_new(public_path, public_pem(key.public_key()).encode("ascii"), 0o644)
    return public_path


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise KeyFileError(f"{path} exists; refusing to overwrite a key") from None
    except OSError as error:
        raise KeyFileError(f"cannot write {path}: {error}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise KeyFileError(f"cannot read a private key from {path}: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The public key in ``path`` (a public key PEM, or the private key it belongs to)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"cannot read {path}: {error}") from None
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    return parse_public_key(data.decode("ascii", "replace"), str(path))


def parse_public_key(pem: str, source: str = "public key") -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise KeyFileError(f"cannot read a public key from {source}: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{source} is not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key, to compare by eye with the committee's record."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_valid(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
