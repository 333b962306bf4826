"""The ledger a ``caseledger`` command works on, with the store's, the ledger's and the domain's errors
as click's: one line naming the cause, never a traceback."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import click

from application.config import Settings
from application.core import store_errors
from application.errors import CaseLedgerError
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role
from domain.errors import DomainError


def operator(role: Role = Role.ADMIN) -> Actor:
    """Whoever runs a command on the server, acting in ``role`` (by default the system administrator's: the
    role the command's duty needs), recorded by their login name."""
    return Actor(f"cli:{getpass.getuser()}", role, "系统管理")


@contextmanager
def click_errors() -> Iterator[None]:
    """What the block meets in the store, or a refusal of the ledger or the domain, as a click error."""
    try:
        with store_errors():
            yield
    except (CaseLedgerError, DomainError) as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def command_ledger(settings: Settings | None = None) -> Iterator[CaseLedger]:
    """The ledger on the configured store (or ``settings``'), closed afterwards; a refused command ends
    as a click error."""
    with click_errors():
        ledger = build_ledger(settings)
        try:
            yield ledger
        finally:
            ledger.close()
