"""The ledger a ``caseledger`` command works on, with the ledger's and the domain's errors as click's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from application.errors import CaseLedgerError
from application.ledger import CaseLedger, build_ledger
from domain.errors import DomainError


@contextmanager
def command_ledger() -> Iterator[CaseLedger]:
    """The ledger on the configured store, closed afterwards; a refused command ends as a click error."""
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
