"""The process's one ledger, as the running Flask app holds it."""

from __future__ import annotations

from flask import current_app

from application.ledger import CaseLedger


def ledger() -> CaseLedger:
    found: CaseLedger = current_app.extensions["caseledger"]
    return found
