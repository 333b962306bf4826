"""WSGI layers around the Flask app: how a request's bytes and its client's address reach it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.wsgi import get_input_stream

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_CHUNK = 64 * 1024


class ReadBodyBeforeResponse:
    """Reads the rest of the request body, unused, before the response starts.

    A response sent while the body is still on its way (a POST refused with 401, 403, 415 or 413 before
    anything read it) leaves the server to read the rest after the client has the answer, by which time
    the client may have sent its next request on the same connection. gunicorn ≥ 24 then reads that next
    request into its parser's buffer while discarding the body and waits for the socket to become readable
    again, which it never does: the request stalls until the keep-alive timeout closes the connection.
    Reading the body to its end before answering means the client cannot have sent anything else yet.

    The stream read is bounded by the request's own framing (its Content-Length, or the server's
    terminated stream for a chunked body), so this reads no more than the server would read anyway after
    the response; in production the proxy caps bodies at the API's limit before they reach us.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = get_input_stream(environ)
        environ["wsgi.input"] = body  # the app reads through this stream, so it knows where the app stopped

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            while body.read(_CHUNK):
                pass
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


class ClientBehindProxy:
    """Takes the client's address from ``X-Forwarded-For`` when the request comes from a trusted proxy.

    Behind nginx every request comes from nginx's address, so the failed-authentication throttle, which
    counts per client address, would count everyone together. Only the last address in the header is
    used: it is the one the trusted proxy wrote (deploy/nginx/ replaces the header rather than extending
    it); anything before it is whatever the client claimed.
    """

    def __init__(self, app: WSGIApplication, proxies: frozenset[str]) -> None:
        self.app, self.proxies = app, proxies

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
        if forwarded and environ.get("REMOTE_ADDR") in self.proxies:
            environ["REMOTE_ADDR"] = forwarded
        return self.app(environ, start_response)
