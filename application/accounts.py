"""Users and their access tokens: registered by the system administrator, given roles and tokens by the
security administrator, and checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from time import monotonic
from typing import Any
from uuid import UUID

from application.core import CommandResult, LedgerCore
from application.errors import Forbidden, NotFound, StaleVersion
from application.queries import describe_event
from domain.accounts import AccessToken, User, parse_roles, token_id_for, user_id_for
from domain.actor import ADMINISTRATORS, DEFAULT_OFFICE, Actor, Role
from domain.errors import InvalidValue
from domain.time import now

TOKEN_BYTES = 32
AUTH_CACHE_SIZE = 10_000
LAST_USED_EVERY_SECONDS = 60.0
"""A token's last use is written at most this often per process (not an event per request); so a
session's idle time is known to the minute."""


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
    kind: str = "api"


@dataclass(frozen=True)
class Access:
    """What a bearer token stands for on one request: the actor, or why it is refused.

    ``refusal`` is empty when the token authenticates; else "unknown" (unknown, revoked, or its user can no
    longer act), "expired" or "idle" (a session unused for longer than the idle timeout). A session whose
    user must still change an initial password authenticates with ``must_change_password`` set.
    """

    actor: Actor | None
    refusal: str = ""
    token: AccessToken | None = None
    must_change_password: bool = False


class AccountUseCases(LedgerCore):
    def read_users(self, actor: Actor) -> list[User]:
        """Every user, in the order they were added."""
        self.authorize(actor, "read_users")
        return [self.load(User, user_id, "user") for user_id in self.created_ids(User)]

    def read_user_history(self, actor: Actor, username: str) -> list[dict[str, Any]]:
        """Every event of a user, oldest first (the audit administrator's read): registration, roles,
        passwords set (never a password), sign-ins, wrong passwords, locks, unlocks, deactivation."""
        self.authorize(actor, "read_user_history")
        user = self.load(User, user_id_for(username), "user", username)
        return [describe_event(event, include_identities=False) for event in self.events_of(user.id)]

    def read_tokens(self, actor: Actor, username: str | None = None) -> list[TokenListing]:
        """Every token (of ``username``, if given), in the order they were issued, with its last use."""
        self.authorize(actor, "read_tokens")
        if username is not None:
            self.load(User, user_id_for(username), "user", username)
        with self.store_calls():
            used = self.token_activity.last_used()
        tokens = (self.load(AccessToken, token_id, "token") for token_id in self.created_ids(AccessToken))
        return [
            TokenListing(t.id, t.username, t.label, t.created_on, used.get(t.id), t.expires_at, t.revoked, t.kind)
            for t in tokens
            if username is None or t.username == username
        ]

    def add_user(
        self,
        actor: Actor,
        username: str,
        display_name: str,
        roles: Role | str | Sequence[Role | str],
        units: str | Sequence[str],
        *,
        office: str = DEFAULT_OFFICE,
        active_from: datetime | None = None,
        active_to: datetime | None = None,
    ) -> CommandResult:
        """Register a user in an office, their units and roles (none: to be granted by the security
        administrator), for a period. The administrators' roles are granted only by the security
        administrator (:meth:`change_user_roles`)."""
        self.authorize(actor, "add_user")
        listed = [roles] if isinstance(roles, Role | str) else list(roles)
        granted = parse_roles(listed)
        if set(granted) & ADMINISTRATORS:
            raise Forbidden("add_user", "only the security administrator grants the administrators' roles")
        user = User.register(
            username=username,
            display_name=display_name,
            roles=granted,
            units=[units] if isinstance(units, str) else units,
            actor=actor,
            at=now(),
            office=office,
            active_from=active_from,
            active_to=active_to,
        )
        if self.exists(user.id):
            raise InvalidValue("username", f"user {username!r} already exists", zh=f"用户 {username!r} 已存在")
        return self.commit(user)

    def read_user(self, actor: Actor, username: str) -> User:
        """One user, as it stands (its version is what a change of it is decided against)."""
        self.authorize(actor, "read_user")
        return self.load(User, user_id_for(username), "user", username)

    def change_user_roles(
        self,
        actor: Actor,
        username: str,
        roles: Sequence[Role | str],
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        """Give a user these roles (the security administrator's duty). An administrator's role is held
        alone, and nobody changes their own roles."""
        self.authorize(actor, "change_user_roles")
        user = self.user_at(username, expected_version)
        if user.username == actor.user_id:
            raise Forbidden("change_user_roles", "nobody changes their own roles")
        parsed = parse_roles(roles)
        if set(parsed) & ADMINISTRATORS and len(parsed) > 1:
            raise InvalidValue(
                "roles", "an administrator's role is held alone (三员分立)", zh="管理员角色须单独担任（三员分立）"
            )
        user.change_roles(actor, now(), parsed, reason)
        return self.commit(user)

    def deactivate_user(
        self, actor: Actor, username: str, reason: str, expected_version: int | None = None
    ) -> CommandResult:
        """Deactivate a user; their tokens stop working at once, and their password is forgotten."""
        self.authorize(actor, "deactivate_user")
        user = self.user_at(username, expected_version)
        user.deactivate(actor, now(), reason)
        result = self.commit(user)
        with self.store_calls():
            self.credentials.delete(user.id)
        return result

    def user_at(self, username: str, expected_version: int | None) -> User:
        """The user, if still at ``expected_version`` (when one is given: the version the change was decided
        against)."""
        user = self.load(User, user_id_for(username), "user", username)
        if expected_version is not None and user.version != expected_version:
            raise StaleVersion(user.id, expected_version, user.version)
        return user

    def issue_token(
        self,
        actor: Actor,
        username: str,
        label: str,
        valid_days: int | None = None,
        role: Role | str | None = None,
        unit: str | None = None,
    ) -> tuple[UUID, str]:
        """Issue an API token acting in one of the user's roles (default: their first), valid for
        ``valid_days`` (default and maximum from the settings); the secret is returned once and only its
        hash is stored. Administrators sign in instead: no token acts in an administrator's role."""
        self.authorize(actor, "issue_token")
        user = self.load(User, user_id_for(username), "user", username)
        if not user.active:
            raise InvalidValue("username", f"user {username!r} is deactivated", zh=f"用户 {username!r} 已停用")
        days = self.settings.token_days if valid_days is None else valid_days
        limit = self.settings.token_max_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= limit:
            raise InvalidValue("valid_days", f"must be 1 to {limit} days", zh=f"应为 1 至 {limit} 天")
        chosen, acting_unit = user.choose(role, unit)
        if chosen in ADMINISTRATORS:
            raise InvalidValue(
                "role",
                "administrators sign in with a password; no token acts in their roles",
                zh="管理员须以口令登录，不签发令牌",
            )
        moment = now()
        return self._issue(
            user, actor, "api", label.strip() or "token", moment + timedelta(days=days), chosen, acting_unit
        )

    def _issue(
        self, user: User, actor: Actor, kind: str, label: str, expires_at: datetime, role: Role, unit: str
    ) -> tuple[UUID, str]:
        secret = secrets.token_urlsafe(TOKEN_BYTES)
        token = AccessToken(
            token_hash=token_hash(secret),
            username=user.username,
            label=label,
            expires_at=expires_at,
            actor=actor,
            at=now(),
            kind=kind,
            role=role,
            unit=unit,
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
        """The actor a bearer token stands for, or None (see :meth:`access` for why); None too for a session
        whose initial password must still be changed, which only :meth:`access` lets through, saying so."""
        access = self.access(secret, request_id, at)
        return None if access.must_change_password else access.actor

    def access(self, secret: str, request_id: str = "", at: datetime | None = None) -> Access:
        """What a bearer token stands for: the actor, or why it is refused.

        A token found valid is remembered with its user, and used again only while both are still at the
        versions remembered: one query per request reads their current versions, so a revocation, a
        deactivation, a lock or a change of roles by any process takes effect on the next request in every
        process. Each use is noted (at most once a minute per token and process) for ``tokens list`` and a
        session's idle timeout.
        """
        if not secret or len(secret) > 200:
            return Access(None, "unknown")
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
        if account is None:
            return Access(None, "unknown")
        token, user = account
        refusal = self._refusal(token, user, moment)
        if refusal:
            self._authenticated.pop(digest, None)
            return Access(None, refusal, token)
        if len(self._authenticated) >= AUTH_CACHE_SIZE:
            self._authenticated.clear()
        self._authenticated[digest] = account
        self._note_use(token.id, moment)
        actor = user.as_actor(request_id, token.role, token.unit)
        return Access(actor, "", token, token.is_session and user.must_change_password)

    def _refusal(self, token: AccessToken, user: User, moment: datetime) -> str:
        if token.revoked or not user.may_act_at(moment):  # a lock stops sign-ins, not the sessions held
            return "unknown"
        if (token.role or user.role) not in user.roles or (token.unit or user.unit) not in user.units:
            return "unknown"
        if token.is_expired_at(moment):
            return "expired"
        if token.is_session:
            with self.store_calls():
                last = self.token_activity.last_use(token.id) or token.created_on
            if moment - last > timedelta(minutes=self.settings.session_idle_minutes):
                return "idle"
        return ""

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
