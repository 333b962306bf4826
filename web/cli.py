"""The ``caseledger`` command: initialise the store, load demo data, serve the API."""

from __future__ import annotations

import os
from typing import Any

import click

from application.config import Settings
from application.errors import CaseLedgerError
from application.ledger import build_ledger


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

    try:
        ledger = build_ledger()
        summary = load_demo(ledger, year=year, seed=seed, scale=scale, progress=_report_progress)
        ledger.close()
    except CaseLedgerError as error:
        raise click.ClickException(str(error)) from None
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
