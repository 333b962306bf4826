"""Who is signed in to the console: the session cookie, and the CSRF token every form carries.

The cookie holds the secret of a session token; each request authenticates it exactly as the API
authenticates a bearer token (revoked, expired or unknown: signed out). The CSRF token is derived from
that secret, so a page of another site, which cannot read the cookie, cannot make one; it needs no state
on the server, so any web worker checks it."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from typing import ParamSpec, TypeVar
from urllib.parse import quote

from flask import abort, g, redirect, request
from werkzeug.wrappers import Response

from application.accounts import Access
from web.state import ledger

COOKIE = "caseledger_session"
CSRF_FIELD = "csrf"

P = ParamSpec("P")
R = TypeVar("R")


PASSWORD_PAGE = "/password"
WHILE_PASSWORD_CHANGE_REQUIRED = frozenset({PASSWORD_PAGE, "/sign-out"})


def session_access() -> Access | None:
    """What the request's session cookie stands for (its actor and token), or None."""
    secret = request.cookies.get(COOKIE, "")
    return ledger().access(secret, g.get("request_id", "")) if secret else None


def csrf_token() -> str:
    """The token this session's forms carry."""
    secret = request.cookies.get(COOKIE, "")
    return hmac.new(secret.encode(), b"caseledger console form", hashlib.sha256).hexdigest()


def signed_in(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Run ``view`` for a signed-in user (who is then the request's actor); send anyone else to the
    sign-in page, coming back here after. A form posted without this session's CSRF token is refused."""

    @functools.wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        access = session_access()
        if access is None or access.actor is None or access.token is None:
            back = request.full_path if request.method == "GET" else "/"
            return redirect(f"/sign-in?next={quote(back.rstrip('?'))}", 303)
        if request.method == "POST" and not hmac.compare_digest(request.form.get(CSRF_FIELD, ""), csrf_token()):
            abort(400, "the form's CSRF token does not belong to this session: reload the page")
        if access.must_change_password and request.path not in WHILE_PASSWORD_CHANGE_REQUIRED:
            return redirect(PASSWORD_PAGE, 303)
        g.actor, g.token = access.actor, access.token
        return view(*args, **kwargs)

    return checked


def set_session(response: Response, secret: str, max_age: int) -> Response:
    """Keep ``secret`` in the session cookie: never readable by scripts, never sent by another site's forms,
    and only over TLS when the console is served over TLS."""
    response.set_cookie(
        COOKIE, secret, max_age=max_age, httponly=True, samesite="Lax", secure=request.is_secure, path="/"
    )
    return response


def end_session(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax", secure=request.is_secure)
    return response
