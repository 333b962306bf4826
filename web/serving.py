"""gunicorn as ``caseledger serve`` runs it: its request limits, and its own refusals as problems."""

from __future__ import annotations

import json
import socket
from http import HTTPStatus
from typing import Any

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

from web.problems import (
    HEADERS_TOO_LARGE,
    INTERNAL,
    MALFORMED,
    PROBLEM_JSON,
    UNSUPPORTED_TRANSFER_CODING,
    URI_TOO_LONG,
    Problem,
    problem_document,
)

# The longest request line gunicorn can be told to accept (its MAX_REQUEST_LINE; larger values are cut
# to it, only 0 lifts the limit, with no bound at all). Its default, 4094 bytes, refused schema-valid
# queries: a Chinese character is 9 bytes percent-encoded, so three 200-character filters are 5.4 KB.
REQUEST_LINE_LIMIT = 8190
HEADER_FIELD_LIMIT = 8190  # one header line; gunicorn's default, stated so deploy/nginx/ can match it

_PROBLEMS: tuple[tuple[type[Exception], Problem], ...] = (
    (errors.LimitRequestLine, URI_TOO_LONG),
    (errors.LimitRequestHeaders, HEADERS_TOO_LARGE),
    (errors.UnsupportedTransferCoding, UNSUPPORTED_TRANSFER_CODING),
    (errors.ParseException, MALFORMED),
)


def _problem_for(error: BaseException) -> Problem:
    return next((problem for kind, problem in _PROBLEMS if isinstance(error, kind)), INTERNAL)


def error_response(error: BaseException) -> bytes:
    """The whole HTTP response for a request gunicorn refused, or failed, before the app answered."""
    problem = _problem_for(error)
    body = problem_document(problem, "" if problem is INTERNAL else str(error))
    payload = json.dumps(body, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {problem.status} {HTTPStatus(problem.status).phrase}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("latin-1") + payload


class ProblemWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker, answering its own refusals as problem+json instead of an HTML page."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        if _problem_for(exc) is INTERNAL:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, error_response(exc))
        except OSError:
            self.log.debug("Failed to send error message.")
