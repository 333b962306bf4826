"""The read models queues and statistics are answered from, built once per process on first use.

The projections themselves are fed by ``caseledger projections run``; here they are only read, and
their runners are used to wait until they have caught up with a log position (read-your-writes).
"""

from __future__ import annotations

import threading

from flask import Flask, Response, current_app

from bootstrap.read_side import build_read_models
from projections.read_models import ReadModels
from web.problems import NOT_CAUGHT_UP, problem_response
from web.state import ledger

EXTENSION = "caseledger.read_models"
WAIT_SECONDS = 5.0
"""How long a read asking for a log position waits for the projection to reach it."""
RETRY_AFTER_SECONDS = "1"

_building = threading.Lock()


def read_models() -> ReadModels:
    """This process's read models, built on first use (one thread builds, the others wait for it)."""
    extensions = current_app.extensions
    found: ReadModels | None = extensions.get(EXTENSION)
    if found is None:
        with _building:
            found = extensions.get(EXTENSION)
            if found is None:
                found = build_read_models(ledger())
                extensions[EXTENSION] = found
    return found


def wait_seconds() -> float:
    """How long to wait for a projection to reach a position (``READ_MODEL_WAIT_SECONDS``, default 5)."""
    return float(current_app.config.get("READ_MODEL_WAIT_SECONDS", WAIT_SECONDS))


def not_caught_up(projection: str, position: int | None, what: str) -> Response | None:
    """Read-your-writes: None once ``projection`` has applied the log up to ``position`` (a command's
    position; None asks for none), waiting up to :func:`wait_seconds`; else the 503 problem saying
    that ``what`` (the list, queue or numbers asked for) has not caught up yet."""
    if position is None or read_models().caught_up(projection, position, wait_seconds()):
        return None
    return problem_response(
        NOT_CAUGHT_UP,
        f"waited {wait_seconds():g} s for {what} to reach log position {position}",
        {"Retry-After": RETRY_AFTER_SECONDS},
    )


def close_read_models(app: Flask) -> None:
    """Close the read store's connections, if the read models were ever built."""
    found: ReadModels | None = app.extensions.pop(EXTENSION, None)
    if found is not None:
        found.store.close()
