"""Users and their access tokens: created and revoked by an administrator, checked on every request."""

from __future__ import annotations

import hashlib
import secrets
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
AUTH_CACHE_SECONDS = 5.0
AUTH_CACHE_SIZE = 10_000


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountUseCases(LedgerCore):
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
        user = self.load(User, user_id_for(username), "user")
        user.deactivate(actor, now(), reason)
        result = self.commit(user)
        self._authenticated.clear()
        return result

    def issue_token(self, actor: Actor, username: str, label: str, valid_days: int | None = None) -> tuple[UUID, str]:
        """Issue a new bearer token; the secret is returned once and only its hash is stored."""
        self.authorize(actor, "issue_token")
        user = self.load(User, user_id_for(username), "user")
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
        result = self.commit(token)
        self._authenticated.clear()
        return result

    def authenticate(self, secret: str, request_id: str = "", at: datetime | None = None) -> Actor | None:
        """The actor a bearer token stands for, or None when it is unknown, revoked, expired or its user inactive.

        A token found valid is remembered for :data:`AUTH_CACHE_SECONDS` (per process), so a revocation or
        a deactivation takes effect within that many seconds; an expiry takes effect at once.
        """
        if not secret or len(secret) > 200:
            return None
        moment = at or now()
        digest = token_hash(secret)
        remembered = self._authenticated.get(digest)
        if remembered is not None and monotonic() < remembered[0] and remembered[1].is_valid_at(moment):
            return remembered[2].as_actor(request_id)
        try:
            token = self.load(AccessToken, token_id_for(digest), "token")
            user = self.load(User, user_id_for(token.username), "user")
        except NotFound:
            return None
        if not token.is_valid_at(moment) or not user.active:
            self._authenticated.pop(digest, None)
            return None
        if len(self._authenticated) >= AUTH_CACHE_SIZE:
            self._authenticated.clear()
        self._authenticated[digest] = (monotonic() + AUTH_CACHE_SECONDS, token, user)
        return user.as_actor(request_id)

    @cached_property
    def _authenticated(self) -> dict[str, tuple[float, AccessToken, User]]:
        return {}
