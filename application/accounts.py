"""Users and their access tokens: created and revoked by an administrator, checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from time import monotonic
from uuid import UUID

from application.core import CommandResult, LedgerCore
from application.errors import NotFound
from domain.accounts import AccessToken, User, token_id_for, user_id_for
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.time import now

TOKEN_BYTES = 32
AUTH_CACHE_SIZE = 10_000
LAST_USED_EVERY_SECONDS = 60.0
"""A token's last use is written at most this often per process (not an event per request)."""


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenListing:
    """A token as ``tokens list`` shows it: never its secret, nor the secret's hash."""

    id: UUID
    username: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked: bool


class AccountUseCases(LedgerCore):
    def read_users(self, actor: Actor) -> list[User]:
        """Every user, in the order they were added."""
        self.authorize(actor, "read_users")
        return [self.load(User, user_id, "user") for user_id in self.created_ids(User)]

    def read_tokens(self, actor: Actor, username: str | None = None) -> list[TokenListing]:
        """Every token (of ``username``, if given), in the order they were issued, with its last use."""
        self.authorize(actor, "read_tokens")
        if username is not None:
            self.load(User, user_id_for(username), "user", username)
        with self.store_calls():
            used = self.token_activity.last_used()
        tokens = (self.load(AccessToken, token_id, "token") for token_id in self.created_ids(AccessToken))
        return [
            TokenListing(t.id, t.username, t.label, t.created_on, used.get(t.id), t.expires_at, t.revoked)
            for t in tokens
            if username is None or t.username == username
        ]

    def add_user(self, actor: Actor, username: str, display_name: str, role: Role | str, unit: str) -> CommandResult:
        """Register a user in a role and unit."""
        self.authorize(actor, "add_user")
        user = User.register(
            username=username,
            display_name=display_name,
            role=Role.parse(role, "role"),
            unit=unit,
            actor=actor,
            at=now(),
        )
        if self.exists(user.id):
            raise InvalidValue("username", f"user {username!r} already exists", zh=f"用户 {username!r} 已存在")
        return self.commit(user)

    def deactivate_user(self, actor: Actor, username: str, reason: str) -> CommandResult:
        """Deactivate a user; their tokens stop working at once."""
        self.authorize(actor, "deactivate_user")
        user = self.load(User, user_id_for(username), "user", username)
        user.deactivate(actor, now(), reason)
        return self.commit(user)

    def issue_token(self, actor: Actor, username: str, label: str, valid_days: int | None = None) -> tuple[UUID, str]:
        """Issue a new bearer token; the secret is returned once and only its hash is stored."""
        self.authorize(actor, "issue_token")
        user = self.load(User, user_id_for(username), "user", username)
        if not user.active:
            raise InvalidValue("username", f"user {username!r} is deactivated", zh=f"用户 {username!r} 已停用")
        if valid_days is not None and valid_days <= 0:
            raise InvalidValue("valid_days", "must be a positive number of days", zh="应为正数天数")
        secret = secrets.token_urlsafe(TOKEN_BYTES)
        moment = now()
        token = AccessToken(
            token_hash=token_hash(secret),
            username=user.username,
            label=label.strip() or "token",
            expires_at=None if valid_days is None else moment + timedelta(days=valid_days),
            actor=actor,
            at=moment,
        )
        self.commit(token)
        return token.id, secret

    def revoke_token(self, actor: Actor, token_id: UUID, reason: str) -> CommandResult:
        """Revoke a token by its id (printed when it was issued)."""
        self.authorize(actor, "revoke_token")
        token = self.load(AccessToken, token_id, "token")
        token.revoke(actor, now(), reason)
        return self.commit(token)

    def authenticate(self, secret: str, request_id: str = "", at: datetime | None = None) -> Actor | None:
        """The actor a bearer token stands for, or None when it is unknown, revoked, expired or its user inactive.

        A token found valid is remembered with its user, and used again only while both are still at the
        versions remembered: one query per request reads their current versions, so a revocation or a
        deactivation by any process takes effect on the next request in every process. Each use is noted
        (at most once a minute per token and process) for ``tokens list``.
        """
        if not secret or len(secret) > 200:
            return None
        moment = at or now()
        digest = token_hash(secret)
        account = self._authenticated.get(digest)
        if account is not None:
            token, user = account
            with self.store_calls():
                current = self.token_activity.versions(token.id, user.id)
            if current != {token.id: token.version, user.id: user.version}:
                account = None
        if account is None:
            account = self._account(digest)
        if account is None or not account[0].is_valid_at(moment) or not account[1].active:
            self._authenticated.pop(digest, None)
            return None
        if len(self._authenticated) >= AUTH_CACHE_SIZE:
            self._authenticated.clear()
        self._authenticated[digest] = account
        self._note_use(account[0].id, moment)
        return account[1].as_actor(request_id)

    def _account(self, digest: str) -> tuple[AccessToken, User] | None:
        try:
            token = self.load(AccessToken, token_id_for(digest), "token")
            return token, self.load(User, user_id_for(token.username), "user")
        except NotFound:
            return None

    def _note_use(self, token_id: UUID, moment: datetime) -> None:
        noted = self._uses_noted.get(token_id)
        if noted is None or monotonic() - noted >= LAST_USED_EVERY_SECONDS:
            with self.store_calls():
                self.token_activity.record_use(token_id, moment)
            self._uses_noted[token_id] = monotonic()

    @cached_property
    def _authenticated(self) -> dict[str, tuple[AccessToken, User]]:
        return {}

    @cached_property
    def _uses_noted(self) -> dict[UUID, float]:
        return {}
