"""Users of the ledger and their opaque access tokens (only a token's hash is ever stored)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor, Role
from domain.errors import require
from domain.time import check_moment
from domain.values import MAX_NAME, require_text


def user_id_for(username: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:/users/{username}")


def token_id_for(token_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:/tokens/{token_hash}")


class User(Aggregate):
    """Someone who works in the ledger, in one role and one unit."""

    @staticmethod
    def create_id(username: str) -> UUID:
        return user_id_for(username)

    @event("Registered")
    def __init__(self, *, username: str, display_name: str, role: Role, unit: str, actor: Actor, at: datetime) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.unit = unit
        self.active = True
        self.last_at = at

    @classmethod
    def register(cls, *, username: str, display_name: str, role: Role, unit: str, actor: Actor, at: datetime) -> User:
        return cls(
            username=require_text(username, "username", 64),
            display_name=require_text(display_name, "display_name", MAX_NAME),
            role=Role.parse(role, "role"),
            unit=require_text(unit, "unit", MAX_NAME),
            actor=actor,
            at=check_moment(at, None),
        )

    def as_actor(self, request_id: str = "") -> Actor:
        return Actor(self.username, self.role, self.unit, request_id)

    def deactivate(self, actor: Actor, at: datetime, reason: str) -> None:
        require(self.active, "user.deactivate.inactive", "该用户已停用", "the user is already deactivated")
        self._deactivated(actor=actor, at=check_moment(at, self.last_at), reason=require_text(reason, "reason"))

    @event("Deactivated")
    def _deactivated(self, actor: Actor, at: datetime, reason: str) -> None:
        self.active = False
        self.last_at = at


class AccessToken(Aggregate):
    """A bearer token for one user, known by the SHA-256 of its secret; revocable, optionally expiring."""

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return token_id_for(token_hash)

    @event("Issued")
    def __init__(
        self, *, token_hash: str, username: str, label: str, expires_at: datetime | None, actor: Actor, at: datetime
    ) -> None:
        self.username = username
        self.label = label
        self.expires_at = expires_at
        self.revoked = False
        self.last_at = at

    def is_valid_at(self, moment: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or moment < self.expires_at)

    def revoke(self, actor: Actor, at: datetime, reason: str) -> None:
        require(not self.revoked, "token.revoke.revoked", "该令牌已吊销", "the token is already revoked")
        self._revoked(actor=actor, at=check_moment(at, self.last_at), reason=require_text(reason, "reason"))

    @event("Revoked")
    def _revoked(self, actor: Actor, at: datetime, reason: str) -> None:
        self.revoked = True
        self.last_at = at
