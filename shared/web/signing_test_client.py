"""Tests only: a Flask test client that signs each request's identity for that request alone.

Tests name the caller once (`tests.support.callers.headers_for` gives a MARKER header carrying the
principal) and use those headers for many requests. A service accepts only a token made for its own name,
the request's method and its path, so the marker is turned into such a token per request, with the
private key of the test process (IDENTITY_PRIVATE_KEY in its environment; the service never holds it).
The service still verifies the token as in production. A marker may also ask for a token that is wrong in
one way (`wrong`), to prove the service refuses it on every route.
"""
import base64
import json
import os
import time

from flask.testing import FlaskClient

from shared.identity import HEADER, Principal, generate_key_pair, sign

MARKER = "X-Grid-Test-Principal"
_MARKER_ENVIRON = "HTTP_" + MARKER.upper().replace("-", "_")
_HEADER_ENVIRON = "HTTP_" + HEADER.upper().replace("-", "_")
# The ways `marker(..., wrong=...)` can spoil a token; each is refused by the services.
WRONG = ("audience", "method", "path", "old", "old_but_long_lived", "key", "widened")


def marker(principal: Principal, *, wrong: str | None = None) -> dict:
    """Headers naming `principal` for the test clients to sign per request (spoiled as `wrong` says)."""
    assert wrong in WRONG + (None,), wrong
    return {MARKER: json.dumps({"claims": principal.to_claims(), "wrong": wrong}, ensure_ascii=True)}


def token_for(marked: str, *, audience: str, method: str, path: str) -> str:
    """A token for the principal in a MARKER header's value, for one request (genuine unless it asks)."""
    spec = json.loads(marked)
    principal, wrong = Principal.from_claims(spec["claims"]), spec.get("wrong")
    key = os.environ["IDENTITY_PRIVATE_KEY"]
    now, ttl_s = time.time(), 30
    if wrong == "audience":
        audience = "volunteers" if audience != "volunteers" else "households"
    elif wrong == "method":
        method = "POST" if method.upper() == "GET" else "GET"
    elif wrong == "path":
        path = path.rstrip("/") + "/other"
    elif wrong == "old":
        now -= 31
    elif wrong == "old_but_long_lived":
        now, ttl_s = now - 31, 120
    elif wrong == "key":
        key = generate_key_pair()[0]
    token = sign(principal, key=key, audience=audience, method=method, path=path, now=now, ttl_s=ttl_s)
    if wrong == "widened":
        token = _widened(token)
    return token


def _widened(token: str) -> str:
    """A genuine token whose payload now says admin, its signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


class SigningTestClient(FlaskClient):
    """A FlaskClient that replaces a MARKER header by a token for this app, method and path."""

    def _request_from_builder_args(self, args, kwargs):
        request = super()._request_from_builder_args(args, kwargs)
        marked = request.environ.pop(_MARKER_ENVIRON, None)
        if marked is not None:
            request.environ[_HEADER_ENVIRON] = token_for(
                marked, audience=self.application.config["SERVICE_NAME"], method=request.method, path=request.path)
        return request
