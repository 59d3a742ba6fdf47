"""Callers' identities for tests.

`headers_for` names a principal once; the service apps' test client (shared.web.signing_test_client) and
tests.support.objects.HttpClient sign a token for each request's service, method and path from it.
"""
import os

from shared.identity import HEADER, Principal, sign
from shared.web.signing_test_client import MARKER, marker, token_for


def headers_for(app=None, *, role="grid_worker", user_id="u-test", grids=(), communities=(), name="测试员") -> dict:
    """Headers naming this caller, signed per request by the test clients (`app` is not needed any more)."""
    return marker(Principal(user_id=user_id, role=role, name=name, grid_ids=tuple(grids),
                            community_ids=tuple(communities)))


def signed(principal: Principal, *, audience: str, method: str, path: str, **kwargs) -> dict:
    """A real identity header for one request (for tests that build tokens themselves)."""
    return {HEADER: sign(principal, key=os.environ["IDENTITY_PRIVATE_KEY"], audience=audience, method=method,
                         path=path, **kwargs)}


def sign_marked(headers: dict | None, *, audience: str, method: str, path: str) -> dict | None:
    """`headers` with a `headers_for` marker replaced by a token for this one request (real HTTP clients)."""
    if not headers or MARKER not in headers:
        return headers
    out = {k: v for k, v in headers.items() if k != MARKER}
    out[HEADER] = token_for(headers[MARKER], audience=audience, method=method, path=path)
    return out
