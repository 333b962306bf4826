"""Users of the ledger, and their opaque access tokens and sessions (only a token's hash is ever stored).

A user belongs to one office, works in one or more units and holds one or more roles; each token or
session acts in one of them. Signing in, failing to, being locked and unlocked are the user's events;
the password itself is never in the log (its hash lives beside it, see :class:`application.ports.Credentials`).
Events recorded before offices, several units and roles existed still load: their new attributes
take their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import DEFAULT_OFFICE, Actor, Role
from domain.errors import InvalidValue, require
from domain.time import check_moment, require_aware
from domain.values import MAX_NAME, require_text

MAX_UNITS = 20
LOCKED_BY_FAILURES = "too many failed sign-ins"


def user_id_for(username: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:/users/{username}")


def token_id_for(token_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:/tokens/{token_hash}")


def parse_roles(roles: Sequence[Role | str], field: str = "roles") -> tuple[Role, ...]:
    """Roles named once each, in the order given (the first is a sign-in's default)."""
    parsed = tuple(Role.parse_many(roles, field))
    if len(set(parsed)) != len(parsed):
        raise InvalidValue(field, "names a role twice", zh="角色重复")
    return parsed


def parse_units(units: Sequence[str], field: str = "units") -> tuple[str, ...]:
    """At least one unit, each named once (the first is the unit the user acts for by default)."""
    if isinstance(units, str) or not 1 <= len(units) <= MAX_UNITS:
        raise InvalidValue(field, f"must be a list of 1 to {MAX_UNITS} units", zh=f"应为 1 至 {MAX_UNITS} 个单位")
    parsed = tuple(require_text(u, field, MAX_NAME) for u in units)
    if len(set(parsed)) != len(parsed):
        raise InvalidValue(field, "names a unit twice", zh="单位重复")
    return parsed


class User(Aggregate):
    """Someone who works in the ledger: in an office, one or more units and roles, for a period."""

    @staticmethod
    def create_id(username: str) -> UUID:
        return user_id_for(username)

    @event("Registered")
    def __init__(
        self,
        *,
        username: str,
        display_name: str,
        role: Role | None,
        unit: str,
        actor: Actor,
        at: datetime,
        office: str = DEFAULT_OFFICE,
        roles: tuple[Role, ...] = (),
        units: tuple[str, ...] = (),
        active_from: datetime | None = None,
        active_to: datetime | None = None,
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.office = office
        self.roles: tuple[Role, ...] = tuple(roles) or ((role,) if role is not None else ())
        self.units: tuple[str, ...] = tuple(units) or (unit,)
        self.active_from = active_from or at
        self.active_to = active_to
        self.active = True
        self.must_change_password = False
        self.locked = False
        self.failures = 0
        self.last_at = at

    @classmethod
    def register(
        cls,
        *,
        username: str,
        display_name: str,
        roles: Sequence[Role | str],
        units: Sequence[str],
        actor: Actor,
        at: datetime,
        office: str = DEFAULT_OFFICE,
        active_from: datetime | None = None,
        active_to: datetime | None = None,
    ) -> User:
        parsed_roles, parsed_units = parse_roles(roles), parse_units(units)
        moment = check_moment(at, None)
        start = moment if active_from is None else require_aware(active_from, "active_from")
        end = None if active_to is None else require_aware(active_to, "active_to")
        if end is not None and end <= start:
            raise InvalidValue("active_to", "must be after active_from", zh="应晚于生效时间")
        return cls(
            username=require_text(username, "username", 64),
            display_name=require_text(display_name, "display_name", MAX_NAME),
            role=parsed_roles[0] if parsed_roles else None,
            unit=parsed_units[0],
            actor=actor,
            at=moment,
            office=require_text(office, "office", 64),
            roles=parsed_roles,
            units=parsed_units,
            active_from=start,
            active_to=end,
        )

    @property
    def role(self) -> Role | None:
        """The role a sign-in acts in unless it picks another of the user's roles."""
        return self.roles[0] if self.roles else None

    @property
    def unit(self) -> str:
        """The unit the user acts for unless a sign-in picks another of theirs."""
        return self.units[0]

    def may_act_at(self, moment: datetime) -> bool:
        """Not deactivated, within the active period, and holding a role."""
        in_period = self.active_from <= moment and (self.active_to is None or moment < self.active_to)
        return self.active and in_period and bool(self.roles)

    def as_actor(self, request_id: str = "", role: Role | None = None, unit: str | None = None) -> Actor:
        """The user acting in ``role`` for ``unit`` (by default, their first of each)."""
        chosen = role or self.role
        if chosen is None:
            raise InvalidValue("role", f"{self.username} holds no role", zh=f"{self.username} 未被授予角色")
        return Actor(self.username, chosen, unit or self.unit, request_id, self.office)

    def choose(self, role: Role | str | None, unit: str | None) -> tuple[Role, str]:
        """The role and unit a session or token acts in: one of the user's own (default: the first)."""
        chosen = self.role if role is None else Role.parse(role, "role")
        if chosen is None or chosen not in self.roles:
            raise InvalidValue("role", "is not one of the user's roles", zh="不是该用户的角色")
        if unit is not None and unit not in self.units:
            raise InvalidValue("unit", "is not one of the user's units", zh="不是该用户的单位")
        return chosen, unit or self.unit

    def deactivate(self, actor: Actor, at: datetime, reason: str) -> None:
        require(self.active, "user.deactivate.inactive", "该用户已停用", "the user is already deactivated")
        self._deactivated(actor=actor, at=check_moment(at, self.last_at), reason=require_text(reason, "reason"))

    @event("Deactivated")
    def _deactivated(self, actor: Actor, at: datetime, reason: str) -> None:
        self.active = False
        self.last_at = at

    def change_roles(self, actor: Actor, at: datetime, roles: Sequence[Role | str], reason: str) -> None:
        parsed = parse_roles(roles)
        require(parsed != self.roles, "user.roles.unchanged", "角色未变化", "the user already holds these roles")
        self._roles_changed(
            actor=actor, at=check_moment(at, self.last_at), roles=parsed, reason=require_text(reason, "reason")
        )

    @event("RolesChanged")
    def _roles_changed(self, actor: Actor, at: datetime, roles: tuple[Role, ...], reason: str) -> None:
        self.roles = tuple(roles)
        self.last_at = at

    def password_set(self, actor: Actor, at: datetime, initial: bool) -> None:
        """Record that a password was set (never the password): ``initial`` when an administrator set it,
        which then must be changed before anything else."""
        require(self.active, "user.password.inactive", "该用户已停用", "the user is deactivated")
        self._password_set(actor=actor, at=check_moment(at, self.last_at), initial=initial)

    @event("PasswordSet")
    def _password_set(self, actor: Actor, at: datetime, initial: bool) -> None:
        self.must_change_password = initial
        self.last_at = at

    def signed_in(self, actor: Actor, at: datetime, address: str) -> None:
        self._signed_in(actor=actor, at=check_moment(at, self.last_at), address=address)

    @event("SignedIn")
    def _signed_in(self, actor: Actor, at: datetime, address: str) -> None:
        self.failures = 0
        self.last_at = at

    def sign_in_failed(self, at: datetime, address: str, lock_after: int) -> None:
        """A wrong password: counted, and the ``lock_after``-th consecutive one locks the account."""
        moment = check_moment(at, self.last_at)
        self._sign_in_failed(at=moment, address=address)
        if self.failures >= lock_after:
            self._locked(at=moment, reason=LOCKED_BY_FAILURES, failures=self.failures)

    @event("SignInFailed")
    def _sign_in_failed(self, at: datetime, address: str) -> None:
        self.failures += 1
        self.last_at = at

    @event("Locked")
    def _locked(self, at: datetime, reason: str, failures: int) -> None:
        self.locked = True
        self.last_at = at

    def unlock(self, actor: Actor, at: datetime, reason: str) -> None:
        require(self.locked, "user.unlock.not_locked", "该用户未被锁定", "the user is not locked")
        self._unlocked(actor=actor, at=check_moment(at, self.last_at), reason=require_text(reason, "reason"))

    @event("Unlocked")
    def _unlocked(self, actor: Actor, at: datetime, reason: str) -> None:
        self.locked = False
        self.failures = 0
        self.last_at = at


class AccessToken(Aggregate):
    """A bearer token for one user in one of their roles, known by the SHA-256 of its secret; revocable,
    expiring. Its ``kind`` is "api" (for programs, issued by the security administrator) or "session"
    (a sign-in)."""

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return token_id_for(token_hash)

    @event("Issued")
    def __init__(
        self,
        *,
        token_hash: str,
        username: str,
        label: str,
        expires_at: datetime | None,
        actor: Actor,
        at: datetime,
        kind: str = "api",
        role: Role | None = None,
        unit: str | None = None,
    ) -> None:
        self.username = username
        self.label = label
        self.expires_at = expires_at
        self.kind = kind
        self.role = role
        self.unit = unit
        self.revoked = False
        self.last_at = at

    @property
    def is_session(self) -> bool:
        return self.kind == "session"

    def is_expired_at(self, moment: datetime) -> bool:
        return self.expires_at is not None and moment >= self.expires_at

    def revoke(self, actor: Actor, at: datetime, reason: str) -> None:
        require(not self.revoked, "token.revoke.revoked", "该令牌已吊销", "the token is already revoked")
        self._revoked(actor=actor, at=check_moment(at, self.last_at), reason=require_text(reason, "reason"))

    @event("Revoked")
    def _revoked(self, actor: Actor, at: datetime, reason: str) -> None:
        self.revoked = True
        self.last_at = at
