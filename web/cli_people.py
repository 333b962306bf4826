"""``caseledger users`` and ``caseledger tokens``: people and their credentials, from the server's shell.

Whoever runs a command acts in the role the command needs (the system administrator's for users and
passwords, the security administrator's for roles, unlocks and tokens), recorded by their login name:
that is how the first administrators of an installation are made.
"""

from __future__ import annotations

from uuid import UUID

import click

from domain.actor import ADMINISTRATORS, Role
from web.cli_ledger import command_ledger, operator
from web.cli_tables import minute, table

ROLE_CODES = [r.code for r in Role]


@click.group()
def users() -> None:
    """Manage users."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role", "roles", required=True, multiple=True, type=click.Choice(ROLE_CODES), help="A role (repeatable)."
)
@click.option(
    "--unit",
    "units",
    required=True,
    multiple=True,
    help="A unit, e.g. 城管执法中队 (repeatable; the first is the default).",
)
@click.option("--office", default="default", show_default=True, help="The user's office.")
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
@click.option(
    "--initial-password-prompt",
    is_flag=True,
    help="Ask for an initial password (not echoed), to be changed at the first sign-in.",
)
def users_add(
    username: str,
    roles: tuple[str, ...],
    units: tuple[str, ...],
    office: str,
    display_name: str | None,
    initial_password_prompt: bool,
) -> None:
    """Register USERNAME in an office, units and roles.

    An administrator's role (admin, security_admin, audit_admin) is held alone, and is granted by the
    security administrator: here, the registration as system administrator is followed by the grant as
    security administrator, both recorded.
    """
    password = (
        click.prompt("initial password", hide_input=True, confirmation_prompt=True) if initial_password_prompt else None
    )
    administrators = [r for r in roles if Role.parse(r, "role") in ADMINISTRATORS]
    with command_ledger() as ledger:
        ledger.add_user(
            operator(Role.ADMIN),
            username,
            display_name or username,
            [] if administrators else list(roles),
            list(units),
            office=office,
        )
        if administrators:
            ledger.change_user_roles(operator(Role.SECURITY_ADMIN), username, list(roles), "registered at the server")
        if password is not None:
            ledger.set_password(operator(Role.ADMIN), username, password)
    elsewhere = "" if office == "default" else f", office {office}"
    click.echo(f"added {username} ({', '.join((*roles, *units))}{elsewhere})")


@users.command("set-password")
@click.argument("username")
def users_set_password(username: str) -> None:
    """Set an initial password for USERNAME (asked for, not echoed), to be changed at their next sign-in."""
    password = click.prompt("initial password", hide_input=True, confirmation_prompt=True)
    with command_ledger() as ledger:
        ledger.set_password(operator(Role.ADMIN), username, password)
    click.echo(f"initial password set for {username}; it must be changed at the next sign-in")


@users.command("roles")
@click.argument("username")
@click.option(
    "--role", "roles", required=True, multiple=True, type=click.Choice(ROLE_CODES), help="A role (repeatable)."
)
@click.option("--reason", required=True)
def users_roles(username: str, roles: tuple[str, ...], reason: str) -> None:
    """Give USERNAME these roles (as security administrator)."""
    with command_ledger() as ledger:
        ledger.change_user_roles(operator(Role.SECURITY_ADMIN), username, list(roles), reason)
    click.echo(f"{username} now holds {', '.join(roles)}")


@users.command("unlock")
@click.argument("username")
@click.option("--reason", required=True)
def users_unlock(username: str, reason: str) -> None:
    """Unlock USERNAME after failed sign-ins locked the account (as security administrator)."""
    with command_ledger() as ledger:
        ledger.unlock_user(operator(Role.SECURITY_ADMIN), username, reason)
    click.echo(f"unlocked {username}")


@users.command("deactivate")
@click.argument("username")
@click.option("--reason", required=True)
def users_deactivate(username: str, reason: str) -> None:
    """Deactivate USERNAME; their tokens and sessions stop working at once."""
    with command_ledger() as ledger:
        ledger.deactivate_user(operator(Role.ADMIN), username, reason)
    click.echo(f"deactivated {username}")


@users.command("list")
def users_list() -> None:
    """Every user: username, office, roles, units, display name, and state."""
    with command_ledger() as ledger:
        found = ledger.read_users(operator(Role.ADMIN))
    table(
        ("username", "office", "roles", "units", "name", "state"),
        [
            (
                u.username,
                u.office,
                ",".join(r.code for r in u.roles) or "-",
                ",".join(u.units),
                u.display_name,
                "deactivated" if not u.active else "locked" if u.locked else "active",
            )
            for u in found
        ],
    )


@click.group()
def tokens() -> None:
    """Issue and revoke API tokens (as security administrator)."""


@tokens.command("issue")
@click.argument("username")
@click.option("--label", default="token", show_default=True, help="What the token is for (e.g. the device).")
@click.option(
    "--days", type=int, default=None, help="Expire after this many days (default: CASELEDGER_TOKEN_DAYS, 90)."
)
@click.option(
    "--role", default=None, type=click.Choice(ROLE_CODES), help="The role it acts in (default: the user's first)."
)
@click.option("--unit", default=None, help="The unit it acts for (default: the user's first).")
def tokens_issue(username: str, label: str, days: int | None, role: str | None, unit: str | None) -> None:
    """Issue a token for USERNAME; the secret is printed once and never stored."""
    with command_ledger() as ledger:
        token_id, secret = ledger.issue_token(operator(Role.SECURITY_ADMIN), username, label, days, role, unit)
    click.echo(f"token id: {token_id}", err=True)
    click.echo(secret)


@tokens.command("revoke")
@click.argument("token_id", type=click.UUID)
@click.option("--reason", required=True)
def tokens_revoke(token_id: UUID, reason: str) -> None:
    """Revoke the token with TOKEN_ID (printed when it was issued)."""
    with command_ledger() as ledger:
        ledger.revoke_token(operator(Role.SECURITY_ADMIN), token_id, reason)
    click.echo(f"revoked {token_id}")


@tokens.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
def tokens_list(username: str | None) -> None:
    """Every token and session: id, kind, user, label, when issued, last used (to the minute), expiry,
    revoked. Never the secret."""
    with command_ledger() as ledger:
        found = ledger.read_tokens(operator(Role.SECURITY_ADMIN), username)
    table(
        ("id", "kind", "user", "label", "created", "last used", "expires", "revoked"),
        [
            (
                str(t.id),
                t.kind,
                t.username,
                t.label,
                minute(t.created_at),
                minute(t.last_used_at),
                minute(t.expires_at),
                "revoked" if t.revoked else "-",
            )
            for t in found
        ],
    )
