"""The ``caseledger`` command: initialise the store, load demo data, serve the API."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import click

from application.config import Settings
from application.errors import CaseLedgerError
from application.ledger import CaseLedger, build_ledger
from domain.actor import Actor, Role
from domain.errors import DomainError


@click.group()
def main() -> None:
    """caseledger: the event-sourced case ledger of a subdistrict office.

    The store is chosen by CASELEDGER_DATABASE_URL (default: sqlite:///caseledger.sqlite3).
    """


@main.group()
def db() -> None:
    """Manage the event store."""


@db.command("init")
def db_init() -> None:
    """Create the store's tables (safe to run again)."""
    settings = Settings.from_env()
    try:
        ledger = build_ledger(settings, create_tables=True)
    except CaseLedgerError as error:
        raise click.ClickException(str(error)) from None
    ledger.close()
    click.echo(f"initialised {_redacted(settings.database_url)}")


def _operator() -> Actor:
    """Whoever runs the command on the server acts as an administrator, recorded by their login name."""
    return Actor(f"cli:{getpass.getuser()}", Role.ADMIN, "系统管理")


@main.group()
def users() -> None:
    """Manage users."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.code for r in Role]), help="One of the seven roles.")
@click.option("--unit", required=True, help="The user's unit, e.g. 城管执法中队.")
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
def users_add(username: str, role: str, unit: str, display_name: str | None) -> None:
    """Register USERNAME in a role and unit."""
    with _ledger() as ledger:
        ledger.add_user(_operator(), username, display_name or username, role, unit)
    click.echo(f"added {username} ({role}, {unit})")


@users.command("deactivate")
@click.argument("username")
@click.option("--reason", required=True)
def users_deactivate(username: str, reason: str) -> None:
    """Deactivate USERNAME; their tokens stop working at once."""
    with _ledger() as ledger:
        ledger.deactivate_user(_operator(), username, reason)
    click.echo(f"deactivated {username}")


@main.group()
def tokens() -> None:
    """Issue and revoke bearer tokens."""


@tokens.command("issue")
@click.argument("username")
@click.option("--label", default="token", show_default=True, help="What the token is for (e.g. the device).")
@click.option("--days", type=int, default=None, help="Expire after this many days (default: never).")
def tokens_issue(username: str, label: str, days: int | None) -> None:
    """Issue a token for USERNAME; the secret is printed once and never stored."""
    with _ledger() as ledger:
        token_id, secret = ledger.issue_token(_operator(), username, label, days)
    click.echo(f"token id: {token_id}", err=True)
    click.echo(secret)


@tokens.command("revoke")
@click.argument("token_id", type=click.UUID)
@click.option("--reason", required=True)
def tokens_revoke(token_id: UUID, reason: str) -> None:
    """Revoke the token with TOKEN_ID (printed when it was issued)."""
    with _ledger() as ledger:
        ledger.revoke_token(_operator(), token_id, reason)
    click.echo(f"revoked {token_id}")


@contextmanager
def _ledger() -> Iterator[CaseLedger]:
    try:
        ledger = build_ledger()
    except CaseLedgerError as error:
        raise click.ClickException(str(error)) from None
    try:
        yield ledger
    except (CaseLedgerError, DomainError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        ledger.close()


@main.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
@click.option("--year", default=2025, show_default=True, help="The year the demo cases happen in.")
@click.option("--scale", default=1.0, show_default=True, help="Multiplies the number of ordinary cases.")
@click.option("--seed", default=2025, show_default=True, help="Random seed; the same seed gives the same data.")
def demo_load(year: int, scale: float, seed: int) -> None:
    """Fill an empty store with a realistic year of a subdistrict's cases."""
    from application.demo import load_demo

    with _ledger() as ledger:
        summary = load_demo(ledger, year=year, seed=seed, scale=scale, progress=_report_progress)
    click.echo("", err=True)
    click.echo(
        "loaded "
        + ", ".join(f"{n} {kind}" for kind, n in summary.cases.items())
        + f", {summary.rulings} rulings, {summary.clearings} clearings ({summary.events} events)"
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=min(4, (os.cpu_count() or 1) + 1), show_default=True)
@click.option("--threads", default=4, show_default=True)
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader.")
def serve(host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve the HTTP API (gunicorn; --dev for Flask's reloader)."""
    if dev:
        from web.app import create_app

        create_app().run(host=host, port=port, debug=True, use_reloader=True)
        return
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": "-",
        }
    ).run()


def _report_progress(events: int) -> None:
    click.echo(f"\r{events} events recorded", nl=False, err=True)


def _redacted(url: str) -> str:
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        scheme, rest = url.split("//", 1)
        user = rest.split(":", 1)[0]
        return f"{scheme}//{user}:***@{rest.split('@', 1)[1]}"
    return url


class _Gunicorn:
    """Runs gunicorn in-process with the app factory, one ledger per worker."""

    def __init__(self, options: dict[str, Any]) -> None:
        from gunicorn.app.base import BaseApplication

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from web.app import create_app

                return create_app()

        self._server = Server()

    def run(self) -> None:
        self._server.run()
