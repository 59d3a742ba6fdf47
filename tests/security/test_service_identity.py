"""Issue 12 point 9: the identity the gateway signs is good for one service, one method and path, briefly.

The gateway signs with its Ed25519 private key; the services hold only the public key. Both services run
in this process over real HTTP (real MongoDB-wire server and RabbitMQ); the tokens come from the gateway's
own ServiceClient, the code that signs every call in production.
"""
import os
import time

import jwt
import pytest
import requests

from gateway.upstream import ServiceClient, http_session
from shared.identity import HEADER, MAX_AGE_S, Principal, sign
from tests.support.stack import serve

pytestmark = pytest.mark.integration
ADMIN = Principal(user_id="admin-1", role="admin", name="管理员")
COMMUNITY = {"id": "C9", "name": "新社区", "street_id": "S1"}


@pytest.fixture
def urls(households_app, vol_app):
    with serve(households_app) as households, serve(vol_app) as volunteers:
        yield {"households": households, "volunteers": volunteers}


def gateway_client(service: str, urls: dict) -> ServiceClient:
    """The gateway's client for `service`, acting as a district admin, with the gateway's private key."""
    return ServiceClient(service, urls[service], principal=ADMIN, key=os.environ["IDENTITY_PRIVATE_KEY"],
                         http=http_session(), timeout=(2, 10))


def call(urls, service, method, path, token, **kwargs) -> requests.Response:
    return requests.request(method, urls[service] + path, headers={HEADER: token}, timeout=10, **kwargs)


def refused(response, reason: str) -> bool:
    return response.status_code == 401 and reason in response.json()["message"]


def test_an_identity_minted_for_households_is_refused_by_volunteers(urls):
    households = gateway_client("households", urls)
    token = households.headers("GET", "/communities")[HEADER]
    assert call(urls, "households", "GET", "/communities", token).status_code == 200
    assert refused(call(urls, "volunteers", "GET", "/communities", token), "another service")
    own = gateway_client("volunteers", urls).headers("GET", "/communities")[HEADER]
    assert call(urls, "volunteers", "GET", "/communities", own).status_code == 200


def test_an_identity_for_get_x_is_refused_for_post_x_and_for_get_y(urls):
    token = gateway_client("households", urls).headers("GET", "/communities")[HEADER]
    assert refused(call(urls, "households", "POST", "/communities", token, json=COMMUNITY), "another request")
    assert refused(call(urls, "households", "GET", "/grids", token), "another request")
    assert call(urls, "households", "GET", "/communities", token).json() == []  # nothing was made
    assert call(urls, "households", "GET", "/communities?street_id=S1", token).status_code == 200  # query unbound


def test_an_identity_older_than_30_s_is_refused(urls):
    key = os.environ["IDENTITY_PRIVATE_KEY"]
    at = {"audience": "households", "method": "GET", "path": "/communities"}
    assert call(urls, "households", "GET", "/communities", sign(ADMIN, key=key, now=time.time() - 20, **at)).ok
    for ttl_s in (MAX_AGE_S, 3600):  # expired, or still "valid" by its own expiry: older than 30 s either way
        old = sign(ADMIN, key=key, now=time.time() - MAX_AGE_S - 1, ttl_s=ttl_s, **at)
        assert refused(call(urls, "households", "GET", "/communities", old), "expired")


def test_a_service_holding_only_the_public_key_cannot_mint_an_identity(urls, households_app):
    config = households_app.config
    public = config["IDENTITY_PUBLIC_KEY"]
    assert not any(config.get(k) for k in ("IDENTITY_PRIVATE_KEY", "SERVICE_SECRET", "SECRET_KEY"))
    claims = {**ADMIN.to_claims(), "iss": "grid-gateway", "aud": "households", "iat": int(time.time()),
              "exp": int(time.time()) + 30, "mth": "GET", "pth": "/communities"}
    attempts = {
        # the public key's 32 bytes taken as a private key: a different key pair, not the gateway's
        "public key as Ed25519 private key": sign(ADMIN, key=public, audience="households", method="GET",
                                                  path="/communities"),
        # algorithm confusion: the public key as an HMAC secret
        "public key as HS256 secret": jwt.encode(claims, public, algorithm="HS256"),
        "unsigned (alg none)": jwt.encode(claims, None, algorithm="none"),
    }
    for label, token in attempts.items():
        assert refused(call(urls, "households", "GET", "/communities", token), "not genuine"), label
    genuine = gateway_client("households", urls).headers("GET", "/communities")[HEADER]
    assert call(urls, "households", "GET", "/communities", genuine).status_code == 200
