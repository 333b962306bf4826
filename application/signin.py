"""Passwords and sign-in: argon2id hashes beside the log, sessions as tokens, failures that lock an account.

The rules follow 等保 2.0 level 3 practice, as settings (:class:`application.config.Settings`): a password
of some length and character classes, not the username; an initial password set by the system
administrator must be changed before anything else; consecutive failures lock the account until the
security administrator unlocks it; sessions end when idle and after a maximum life. A password is never
logged, stored in clear or returned: the log records only that one was set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from application.accounts import AccountUseCases
from application.core import CommandResult
from application.errors import Conflict, Forbidden, NotFound
from domain.accounts import AccessToken, User, user_id_for
from domain.actor import ADMINISTRATORS, Actor, Role
from domain.errors import InvalidValue
from domain.time import now

CONFLICT_RETRIES = 3


class SignInRefused(Exception):
    """Wrong username or password, or an account that may not sign in: one refusal for all of them, so a
    caller learns nothing about which usernames exist."""


@dataclass(frozen=True)
class Session:
    """A sign-in: the session's secret (returned once), what it acts as, and until when at most."""

    token_id: UUID
    secret: str
    actor: Actor
    expires_at: datetime
    must_change_password: bool


class SignInUseCases(AccountUseCases):
    @cached_property
    def _hasher(self) -> PasswordHasher:
        cost = self.settings.password_hashing
        return PasswordHasher(time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism)

    @cached_property
    def _dummy_hash(self) -> str:
        """A hash to verify against when there is no user or no password, so that such a refusal takes as
        long as a wrong password does."""
        return self._hasher.hash("not a password of anyone")

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Set an initial password for ``username`` (the system administrator's duty), to be changed at
        their first sign-in. An administrator's password, once they have one, is changed only by them."""
        self.authorize(actor, "set_password")
        user = self.load(User, user_id_for(username), "user", username)
        with self.store_calls():
            stored = self.credentials.get(user.id)
        if stored is not None and set(user.roles) & ADMINISTRATORS:
            raise Forbidden("set_password", "an administrator's password is changed only by its holder")
        self._store_password(user, actor, self.settings.password_rules.check(password, username, "password"), True)

    def change_own_password(self, actor: Actor, old_password: str, new_password: str) -> None:
        """Change the acting user's own password, after checking the current one."""
        self.authorize(actor, "change_own_password")
        user = self.load(User, user_id_for(actor.user_id), "user", actor.user_id)
        with self.store_calls():
            stored = self.credentials.get(user.id)
        if stored is None or not self._verifies(stored.password_hash, old_password):
            raise InvalidValue("old_password", "is not the current password", zh="当前口令不正确")
        checked = self.settings.password_rules.check(new_password, user.username)
        if checked == old_password:
            raise InvalidValue(
                "new_password",
                "must differ from the current password (rule password.reuse)",
                zh="不能与当前口令相同（规则 password.reuse）",
            )
        self._store_password(user, actor, checked, False)

    def _store_password(self, user: User, actor: Actor, password: str, initial: bool) -> None:
        # The event first: a password never takes effect without its record. Should the hash then fail to
        # be stored, the old password still works and the caller is told to try again.
        moment = now()
        user.password_set(actor, moment, initial)
        self.commit(user)
        with self.store_calls():
            self.credentials.set(user.id, self._hasher.hash(password), initial, moment)

    def sign_in(
        self,
        username: str,
        password: str,
        address: str,
        role: Role | str | None = None,
        unit: str | None = None,
        request_id: str = "",
    ) -> Session:
        """A session for ``username`` in one of their roles and units (default: the first), or
        :class:`SignInRefused`. A wrong password is recorded on the user, and the settings' count of
        consecutive ones locks the account."""
        moment = now()
        user = self._user_or_none(username)
        stored = None
        if user is not None:
            with self.store_calls():
                stored = self.credentials.get(user.id)
        verified = self._verifies(self._dummy_hash if stored is None else stored.password_hash, password)
        if user is None or stored is None or user.locked or not user.may_act_at(moment):
            raise SignInRefused
        if not verified:
            self._record_failure(user, address)
            raise SignInRefused
        if self._hasher.check_needs_rehash(stored.password_hash):
            with self.store_calls():
                self.credentials.set(user.id, self._hasher.hash(password), stored.must_change, stored.set_at)
        chosen, acting_unit = user.choose(role, unit)
        actor = user.as_actor(request_id, chosen, acting_unit)
        user.signed_in(actor, moment, address)
        self.commit(user)
        expires_at = moment + timedelta(hours=self.settings.session_max_hours)
        token_id, secret = self._issue(user, actor, "session", "sign-in", expires_at, chosen, acting_unit)
        return Session(token_id, secret, actor, expires_at, user.must_change_password)

    def sign_out(self, actor: Actor, token: AccessToken) -> None:
        """End the session ``token`` (the caller's own)."""
        self.authorize(actor, "sign_out")
        if not token.is_session or token.username != actor.user_id:
            raise InvalidValue(
                "token", "is not a session (revoke an API token with `caseledger tokens revoke`)", zh="不是登录会话"
            )
        token.revoke(actor, now(), "signed out")
        self.commit(token)

    def unlock_user(
        self, actor: Actor, username: str, reason: str, expected_version: int | None = None
    ) -> CommandResult:
        """Unlock an account locked by failed sign-ins (the security administrator's duty)."""
        self.authorize(actor, "unlock_user")
        user = self.user_at(username, expected_version)
        user.unlock(actor, now(), reason)
        return self.commit(user)

    def _user_or_none(self, username: str) -> User | None:
        if not isinstance(username, str) or not username.strip() or len(username) > 64:
            return None
        try:
            return self.load(User, user_id_for(username.strip()), "user")
        except NotFound:
            return None

    def _verifies(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _record_failure(self, user: User, address: str) -> None:
        """Record a wrong password; a concurrent change of the user (another failure) is reloaded and
        the failure recorded after it."""
        for _ in range(CONFLICT_RETRIES):
            try:
                user.sign_in_failed(now(), address, self.settings.lock_after_failures)
                self.commit(user)
                return
            except Conflict:
                user = self.load(User, user.id, "user")
                if user.locked:
                    return
