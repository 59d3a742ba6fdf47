"""Gateway sign-in, sessions, CSRF, throttling, scope and the identity it forwards (Flask test client,
a real MongoDB-wire server, the households service over HTTP)."""
import os
import re
from datetime import timedelta

import pytest
from flask import Flask, jsonify, request

from gateway.app import create_app
from gateway.config import TestConfig
from gateway.models import AuditEntry, SessionRecord, User, now
from gateway.seed import seed_demo_users
from gateway.sessions import token_hash
from shared.identity import HEADER, Unauthenticated, verify
from tests.support.data import household
from tests.support.stack import page_token, register, seed_district, serve, sign_in, stack

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"
COOKIE = "grid_session"


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_district(st)
        st.hh = {n: register(st, household("g1", n, care_tag="elderly_alone" if n % 2 else None)) for n in range(4)}
        st.hh_g3 = register(st, household("g3", 500))
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1", "g3"], community_ids=["c1", "c2"])
        yield st


@pytest.fixture
def client(s):
    return s.gateway_app.test_client()


def cookie(client):
    c = client.get_cookie(COOKIE)
    return c.value if c else None


def set_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))


# ---- sign-in and sessions -----------------------------------------------------------------------

def test_pages_need_sign_in(client):
    r = client.get("/grids/g1/households")
    assert r.status_code == 302 and "/login?next=/grids/g1/households" in r.headers["Location"]
    assert client.get("/api/households/grids").status_code == 401


def test_sign_in_rotates_session_and_sets_safe_cookie(s, client):
    sessions_before = SessionRecord.objects.count()
    client.get("/login")
    assert cookie(client) is None  # an anonymous visitor has no stored session...
    anonymous = client.get_cookie(COOKIE + "_anon")
    assert anonymous  # ...the sign-in form's CSRF token travels in a signed cookie
    assert SessionRecord.objects.count() == sessions_before
    r = sign_in(client, "worker-g1", PASSWORD)
    assert r.status_code == 303
    after = cookie(client)
    assert after and after != anonymous.value
    assert client.get_cookie(COOKIE + "_anon") is None  # dropped once signed in
    record = SessionRecord.objects(pk=token_hash(after)).first()
    assert record.user_id == str(User.objects(username="worker-g1").first().pk)
    header = set_cookie_header(r)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert after not in str(record.to_mongo())  # only the hash is stored
    assert client.get("/grids/g1/today").status_code == 200


def test_cookie_is_secure_over_https(s):
    client = s.gateway_app.test_client()
    client.get("/login", base_url="https://localhost")
    page = client.get("/login", base_url="https://localhost")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    r = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                    data={"csrf_token": token, "username": "worker-g1", "password": PASSWORD})
    assert r.status_code == 303
    assert "Secure" in set_cookie_header(r)


def test_wrong_password_and_unknown_user_look_the_same(client):
    a = sign_in(client, "worker-g1", "wrong-password")
    b = sign_in(client, "nobody-here", "wrong-password")
    assert a.status_code == b.status_code == 401
    assert "用户名或密码错误" in a.get_data(as_text=True) and "用户名或密码错误" in b.get_data(as_text=True)
    assert AuditEntry.objects(action="sign_in.failed").count() >= 2


def test_logout_deletes_the_server_session(client):
    sign_in(client, "worker-g1", PASSWORD)
    token = cookie(client)
    r = client.post("/logout", data={"csrf_token": page_token(client)})
    assert r.status_code == 303 and "bye=1" in r.headers["Location"]
    assert SessionRecord.objects(pk=token_hash(token)).first() is None
    client.set_cookie(COOKIE, token)  # a copied cookie opens nothing any more
    assert client.get("/grids/g1/today").status_code == 302


def test_idle_session_ends_after_30_minutes(client):
    sign_in(client, "worker-g1", PASSWORD)
    token = cookie(client)
    SessionRecord.objects(pk=token_hash(token)).update_one(set__last_seen=now() - timedelta(minutes=31))
    r = client.get("/grids/g1/today")
    assert r.status_code == 302 and "expired=1" in r.headers["Location"]
    assert SessionRecord.objects(pk=token_hash(token)).first() is None


def test_session_ends_after_12_hours_even_when_active(client):
    sign_in(client, "worker-g1", PASSWORD)
    token = cookie(client)
    SessionRecord.objects(pk=token_hash(token)).update_one(set__expires_at=now() - timedelta(seconds=1))
    assert client.get("/grids/g1/today").status_code == 302


def test_deactivating_a_user_revokes_their_sessions(s, client):
    sign_in(client, "mediator", PASSWORD)
    assert client.get("/grids").status_code == 200
    admin = s.gateway_app.test_client()
    sign_in(admin, "admin", PASSWORD)
    mediator = User.objects(username="mediator").first()
    page = admin.get(f"/admin/users/{mediator.pk}")
    assert page.status_code == 200
    r = admin.post(f"/admin/users/{mediator.pk}", data={
        "csrf_token": page_token(admin, f"/admin/users/{mediator.pk}"), "username": "mediator", "name": "调解员",
        "role": "mediator", "community_ids": "c1", "grid_ids": ""})  # 'active' unticked
    assert r.status_code == 303, r.get_data(as_text=True)
    assert client.get("/grids").status_code == 302
    assert SessionRecord.objects(user_id=str(mediator.pk)).count() == 0
    mediator.reload()
    mediator.active = True
    mediator.save()


# ---- CSRF ---------------------------------------------------------------------------------------

def test_forms_without_csrf_token_are_refused(s, client):
    sign_in(client, "worker-g1", PASSWORD)
    hid = s.hh[0]["id"]
    r = client.post(f"/households/{hid}/visit", data={"visited_at": "2026-01-01T10:00", "notes": "x"})
    assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)
    r = client.post("/logout")
    assert r.status_code == 400 and cookie(client)
    r = client.post("/login", data={"username": "worker-g1", "password": PASSWORD})
    assert r.status_code == 400


def test_api_writes_need_the_csrf_header(s, client):
    sign_in(client, "worker-g1", PASSWORD)
    hid = s.hh[1]["id"]
    body = {"visited_at": "2026-01-02T10:00:00+08:00", "notes": "api", "client_id": "api-visit-0001"}
    r = client.post(f"/api/households/households/{hid}/visits", json=body)
    assert r.status_code == 400 and r.is_json
    token = page_token(client)
    r = client.post(f"/api/households/households/{hid}/visits", json=body, headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_data(as_text=True)
    again = client.post(f"/api/households/households/{hid}/visits", json=body, headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.json["id"] == r.json["id"]


# ---- throttling ---------------------------------------------------------------------------------

def test_sign_in_is_slowed_per_account_and_address(s, mongo_url):
    """The details, and the attacks, are in tests/security/test_sign_in_throttling.py."""
    app = create_app(TestConfig(mongo_url=mongo_url, run_id=s.run_id, service_secret=s.secret,
                                households_url=s.households_url, LOGIN_FREE_FAILURES=3, LOGIN_DELAY_BASE_S=600))
    c = app.test_client()
    for _ in range(3):
        assert sign_in(c, "worker-g3", "wrong-password").status_code == 401
    assert sign_in(c, "worker-g3", "wrong-password").status_code == 401  # the 4th failure starts the wait
    throttled = sign_in(c, "worker-g3", PASSWORD)  # even the right password waits now, from this address
    assert throttled.status_code == 429 and "分钟" in throttled.get_data(as_text=True)
    assert int(throttled.headers["Retry-After"]) > 500
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert sign_in(other, "worker-g3", PASSWORD).status_code == 303  # the worker elsewhere is not locked out
    assert sign_in(c, "staff-c1", PASSWORD).status_code == 303  # nor another account from the same address


# ---- scope: a grid worker of g1 gets nothing of g3 ------------------------------------------------

def test_grid_worker_cannot_reach_another_grid(s, client):
    sign_in(client, "worker-g1", PASSWORD)
    other = s.hh_g3["id"]
    for path in (f"/households/{other}", f"/households/{other}/visit", f"/households/{other}/edit",
                 "/grids/g3/households", "/grids/g3/households?q=居民500", "/grids/g3/today",
                 "/grids/g3/export?format=csv"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "不在您的负责范围内" in r.get_data(as_text=True) or "未找到" in r.get_data(as_text=True)
    token = page_token(client)
    r = client.post(f"/households/{other}/reveal", data={"csrf_token": token, "reason": "想看"})
    assert r.status_code == 404
    r = client.post(f"/households/{other}/visit", data={"csrf_token": token, "visited_at": "2026-01-01T10:00"})
    assert r.status_code == 404
    for path in (f"/api/households/households/{other}", "/api/households/households?grid_id=g3",
                 "/api/households/households?community_id=c2", "/api/households/grids/g3/overdue-visits"):
        assert client.get(path).status_code == 404, path
    listed = client.get("/api/households/grids").json
    assert [g["id"] for g in listed] == ["g1"]
    assert client.get("/admin/users").status_code == 403
    assert client.get("/grids/g1/redraw").status_code == 403


def test_api_passthrough_rejects_unknown_services_and_odd_paths(client):
    sign_in(client, "worker-g1", PASSWORD)
    assert client.get("/api/nothing/grids").status_code == 404
    assert client.get("/api/households/grids/../metrics").status_code in (404, 308)
    assert client.get("/api/households/grids/%2e%2e/metrics").status_code == 404


# ---- the identity forwarded to services ---------------------------------------------------------

def test_each_service_call_carries_a_signed_identity_and_the_correlation_id(s, mongo_url):
    seen = []
    upstream = Flask("fake-households")

    @upstream.route("/<path:rest>", methods=["GET", "POST"])
    def anything(rest):
        seen.append(dict(request.headers))
        return jsonify(ok=True, path=rest)

    with serve(upstream) as url:
        app = create_app(TestConfig(mongo_url=mongo_url, run_id=s.run_id,
                                    households_url=url))
        c = app.test_client()
        sign_in(c, "worker-g1", PASSWORD)
        r = c.get("/api/households/grids/g1/follow-ups?x=1", headers={"X-Correlation-ID": "phone-abc-123"})
        assert r.status_code == 200 and r.json["path"] == "grids/g1/follow-ups"
    headers = seen[-1]
    call = {"key": os.environ["IDENTITY_PUBLIC_KEY"], "method": "GET", "path": "/grids/g1/follow-ups"}
    principal = verify(headers[HEADER], audience="households", **call)
    user = User.objects(username="worker-g1").first()
    assert principal.user_id == str(user.pk) and principal.role == "grid_worker"
    assert principal.grid_ids == ("g1",) and principal.community_ids == ()
    assert headers["X-Correlation-Id"] == "phone-abc-123"
    with pytest.raises(Unauthenticated):  # made for this one service, method and path
        verify(headers[HEADER], audience="volunteers", **call)
    assert "Cookie" not in headers  # the browser's session never reaches a service


def test_service_down_gives_a_clear_page(s, mongo_url):
    app = create_app(TestConfig(mongo_url=mongo_url, run_id=s.run_id,
                                households_url="http://127.0.0.1:9"))
    c = app.test_client()
    sign_in(c, "worker-g1", PASSWORD)
    r = c.get("/grids/g1/households")
    assert r.status_code == 503 and "服务暂时不可用，请稍后再试" in r.get_data(as_text=True)
    assert c.get("/api/households/grids").status_code == 503


def test_probes_and_metrics(client):
    assert client.get("/healthz").json["service"] == "gateway"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": True}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "grid_gateway_sign_ins_total" in metrics and "grid_http_requests_total" in metrics


def test_metrics_are_kept_from_the_public(client):
    """Phones reach the gateway through the Ingress: a relayed or outside request never sees /metrics."""
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", headers={"X-Real-IP": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.42.0.7"}).status_code == 200  # a pod scraping
