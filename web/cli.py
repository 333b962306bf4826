"""The ``caseledger`` command: initialise the store, load demo data, serve the API."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.maintenance import init_store
from bootstrap.read_side import build_runners, open_read_store
from projections.followers import follower_states
from projections.runner import ProjectionRunner
from projections.store import ReadStore
from web.audit_cli import audit, grant_service_role, identities
from web.cli_ledger import click_errors, command_ledger
from web.cli_people import tokens, users
from web.cli_registers import COMMANDS as REGISTER_COMMANDS
from web.cli_tables import table
from web.supervision import SupervisedChild

DEGRADED_EXIT = 3
"""``projections status``: some projection is not followed and current (1 is an error, as everywhere)."""


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
    settings = Settings.from_env().for_maintenance()
    with click_errors():
        init_store(settings)
    click.echo(f"initialised {_redacted(settings.database_url)}")


@main.group()
def projections() -> None:
    """Read models built from the log: queues, statistics, indexes."""


@projections.command("run")
@click.argument("names", nargs=-1)
def projections_run(names: tuple[str, ...]) -> None:
    """Follow the log and keep the named projections (default: all) up to date, until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)  # it logs every connection handed out
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with command_ledger() as ledger, _read_store(ledger) as store:
        runners = _runners(ledger, store, names)
        threads = [threading.Thread(target=r.run_forever, args=(stop,), name=r.name) for r in runners]
        for thread in threads:
            thread.start()
        click.echo(f"following the log for {', '.join(r.name for r in runners)}", err=True)
        for thread in threads:
            thread.join()


@projections.command("rebuild")
@click.argument("names", nargs=-1)
def projections_rebuild(names: tuple[str, ...]) -> None:
    """Drop and replay the named projections (default: all) from the start of the log.

    Safe to interrupt: running it again resumes from the last batch written.
    """
    with command_ledger(Settings.from_env().for_maintenance()) as ledger, _read_store(ledger) as store:
        for runner in _runners(ledger, store, names):
            label = f"{'resuming ' if runner.rebuilding() else ''}{runner.name}"
            with click.progressbar(length=1, label=label, show_eta=True) as bar:
                progress = _RebuildProgress(bar, label)
                applied = runner.rebuild(progress)
            elapsed = time.monotonic() - progress.started
            click.echo(f"{runner.name}: {applied} events in {elapsed:.1f} s ({applied / max(elapsed, 1e-6):,.0f}/s)")


class _RebuildProgress:
    """Moves a progress bar along the rebuild and shows its rate in events (or log positions) per second."""

    def __init__(self, bar: Any, label: str) -> None:
        self.bar, self.label = bar, label
        self.first: tuple[int, float] | None = None
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self.first is None:  # the first batch's end: a resumed rebuild's rate counts from there
            self.first = (done, time.monotonic())
        self.bar.length = max(1, total)
        self.bar.update(done - self.bar.pos)
        rate = (done - self.first[0]) / max(time.monotonic() - self.first[1], 1e-6)
        self.bar.label = f"{self.label} ({rate:,.0f}/s)"


@projections.command("status")
def projections_status() -> None:
    """Each projection's position in the log, how far behind it is, and whether a follower keeps it up.

    A projection whose follower has not caught up with the log for 30 s is stale. Exits with status 3
    when any projection is stale, rebuilding, outdated or not set up.
    """
    with command_ledger() as ledger, _read_store(ledger) as store:
        head = ledger.log_position()
        fingerprints = {r.name: r.projection.fingerprint() for r in build_runners(ledger, store)}
        states = follower_states(store, fingerprints, head)
    for state in states:
        shown = "- (replaying the log aggregate by aggregate)" if state.position is None else str(state.position)
        click.echo(f"{state.name}: position {shown}, log head {head}, lag {state.behind} ({state.describe()})")
    if not all(state.current for state in states):
        sys.exit(DEGRADED_EXIT)


def _runners(ledger: CaseLedger, store: ReadStore, names: tuple[str, ...]) -> list[ProjectionRunner]:
    try:
        return build_runners(ledger, store, list(names))
    except KeyError as error:
        raise click.BadParameter(str(error.args[0]), param_hint="NAMES") from None


@contextmanager
def _read_store(ledger: CaseLedger) -> Iterator[ReadStore]:
    store = open_read_store(ledger.settings)
    try:
        yield store
    finally:
        store.close()


@main.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
@click.option("--year", default=2025, show_default=True, help="The year the demo cases happen in.")
@click.option("--scale", default=1.0, show_default=True, help="Multiplies the number of ordinary cases.")
@click.option("--seed", default=2025, show_default=True, help="Random seed; the same seed gives the same data.")
@click.option("--force", is_flag=True, help="Load even into a store that already holds cases (they stay mixed).")
def demo_load(year: int, scale: float, seed: int, force: bool) -> None:
    """Fill an empty store with a realistic year of a subdistrict's cases, and one user per role.

    A store that already holds cases is refused unless --force: the log is never rewritten, so the demo
    year would stay among the real cases for good. Each demo user's new token is printed once.
    """
    from demo.year import load_demo

    with command_ledger() as ledger:
        summary = load_demo(ledger, year=year, seed=seed, scale=scale, progress=_report_progress, force=force)
    click.echo("", err=True)
    click.echo(
        "loaded "
        + ", ".join(f"{n} {kind}" for kind, n in summary.cases.items())
        + f", {summary.rulings} rulings, {summary.clearings} clearings ({summary.events} events)"
    )
    click.echo("demo users and their tokens (shown once; `caseledger tokens list` shows the tokens' ids):")
    table(("user", "token"), list(summary.tokens.items()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=min(4, (os.cpu_count() or 1) + 1), show_default=True)
@click.option("--threads", default=4, show_default=True)
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader.")
@click.option(
    "--projections/--no-projections",
    "with_projections",
    default=None,
    help="Also run the projections in a child process (default: on for SQLite, off for PostgreSQL, "
    "where `caseledger projections run` runs as its own service).",
)
def serve(host: str, port: int, workers: int, threads: int, dev: bool, with_projections: bool | None) -> None:
    """Serve the HTTP API (gunicorn; --dev for Flask's reloader).

    The projections' child process, when there is one, is started again whenever it exits.
    """
    with command_ledger() as ledger:
        ledger.log_position()  # refuse at once a store that is missing, uninitialised or unreachable
    if with_projections is None:
        with_projections = not Settings.from_env().is_postgres
    follower = None
    if with_projections and not os.environ.get("WERKZEUG_RUN_MAIN"):  # the reloader's child has its parent's
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        follower = SupervisedChild([sys.argv[0], "projections", "run"], "the projections follower")
        follower.start()
    try:
        _serve(host, port, workers, threads, dev)
    finally:
        if follower is not None:
            follower.stop()


def _serve(host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    if dev:
        from web.app import create_app

        create_app().run(host=host, port=port, debug=True, use_reloader=True)
        return
    from web.serving import HEADER_FIELD_LIMIT, REQUEST_LINE_LIMIT, ProblemWorker

    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": ProblemWorker,
            "limit_request_line": REQUEST_LINE_LIMIT,
            "limit_request_field_size": HEADER_FIELD_LIMIT,
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


main.add_command(audit)
for command in REGISTER_COMMANDS:
    main.add_command(command)
main.add_command(identities)
main.add_command(users)
main.add_command(tokens)
db.add_command(grant_service_role)
