"""Issue 12 point 10 (the gateway's part): link tokens stay out of the logs, and anonymous visitors
leave no session behind.

The gateway runs under gunicorn with the shipped logger class, in front of the real households and
volunteers services (each with its worker, RabbitMQ, the MongoDB stand-in); a resident opens a sign-up
link, a personal page, a survey and a certificate check, and the access log and the gateway's own log
must not hold the tokens. N anonymous visits to a sign-up page must create no session document.
"""
import os
import re
import subprocess
import sys
import time

import pytest
import requests
from pymongo import MongoClient

from shared.web.access_log import redact
from tests.support.stack import free_port, full_stack, seed_district, staff_principal

VISITS = int(os.environ.get("ANONYMOUS_VISITS", "25"))
PERSONAL = "PersonalToken" + "x" * 20
SURVEY = "SurveyToken" + "y" * 20
SERIAL = "GV-2026-000123"


@pytest.fixture(scope="module")
def s(mongo_url):
    with full_stack(mongo_url, services=("households", "volunteers"), PUBLIC_READ_LIMIT_IP="1000 per minute",
                    PUBLIC_READ_LIMIT_TOKEN="1000 per minute") as st:
        seed_district(st)

        def link():
            r = st.call("volunteers", "POST", "/links", principal=staff_principal(), json={"community_id": "c1"})
            return r.json() if r.status_code == 201 else None

        st.link = st.wait_for(link, timeout=60)  # the community reaches volunteers by event
        yield st


@pytest.fixture(scope="module")
def gunicorn_gateway(s, tmp_path_factory):
    """The gateway as shipped: gunicorn with the redacting logger class, access log to a file."""
    folder = tmp_path_factory.mktemp("gateway-logs")
    port = free_port()
    env = {**os.environ, "MONGO_URL": s.mongo_url, "GATEWAY_MONGO_DB": f"test_{s.run_id}_gateway",
           "GATEWAY_SECRET_KEY": "logs-test-key", "SERVICE_SECRET": s.secret, "HOUSEHOLDS_URL": s.urls["households"],
           "VOLUNTEERS_URL": s.urls["volunteers"], "MEDIATION_URL": "http://127.0.0.1:9",
           "RATELIMIT_STORAGE_URI": "memory://"}
    stderr = open(folder / "stderr.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--access-logfile", str(folder / "access.log"), "--logger-class", "shared.web.access_log.RedactingLogger",
         "gateway.wsgi:app"], env=env, stdout=stderr, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, (folder / "stderr.log").read_text()
        time.sleep(0.2)
    yield url, folder
    proc.terminate()
    proc.wait(15)
    stderr.close()


def test_tokens_never_reach_the_access_log_or_the_gateway_log(s, gunicorn_gateway):
    url, folder = gunicorn_gateway
    token = s.link["token"]
    visits = [f"/v/{token}", f"/v/me/{PERSONAL}", f"/v/me/{PERSONAL}/certificates/{SERIAL}.pdf",
              f"/survey/{SURVEY}", f"/v/cert/{SERIAL}", f"/v/cert?serial={SERIAL}"]
    for path in visits:
        r = requests.get(url + path, headers={"Referer": f"{url}/v/me/{PERSONAL}"}, timeout=10,
                         allow_redirects=False)
        assert r.status_code < 600
    assert requests.get(url + f"/v/{token}", timeout=10).status_code == 200  # the link itself still works
    assert requests.get(url + "/login", timeout=10).status_code == 200
    deadline = time.monotonic() + 15
    while "GET /login " not in (folder / "access.log").read_text():  # the last request: all before it are logged
        assert time.monotonic() < deadline, (folder / "access.log").read_text()
        time.sleep(0.1)
    access = (folder / "access.log").read_text()
    own = (folder / "stderr.log").read_text()  # the gateway's JSON log (the survey's service is unreachable)
    for secret in (token, PERSONAL, SURVEY, SERIAL):
        assert secret not in access and secret not in own, secret
    assert "GET /v/me/*** " in access and "GET /survey/*** " in access and "/v/cert?serial=*** " in access
    assert "GET /login " in access  # other paths are logged as they are
    assert '"service unreachable"' in own and "/public/surveys/***" in own


def test_redaction_masks_only_tokens():
    assert redact("GET /v/me/abcDEF123_-/report?x=1 HTTP/1.1") == "GET /v/me/***/report?x=1 HTTP/1.1"
    assert redact("/grids/g1/households?q=%E5%B1%85") == "/grids/g1/households?q=%E5%B1%85"
    assert redact("/volunteers/certificates/0123456789abcdef01234567.pdf").endswith("0123456789abcdef01234567.pdf")


def test_anonymous_visits_to_a_public_page_store_no_session(s):
    token = s.link["token"]
    db = MongoClient(s.mongo_url)[f"test_{s.run_id}_gateway"]
    before = db.sessions.count_documents({})
    last = None
    for _ in range(VISITS):
        last = requests.get(f"{s.gateway_url}/v/{token}", timeout=10)
        assert last.status_code == 200
        assert "grid_session=" not in last.headers.get("Set-Cookie", "").replace("grid_session_anon=", "")
    assert requests.get(f"{s.gateway_url}/login", timeout=10).status_code == 200
    assert db.sessions.count_documents({}) == before == 0
    # the legitimate path still works: the form's CSRF token rides in the signed anonymous cookie
    browser = requests.Session()
    page = browser.get(f"{s.gateway_url}/v/{token}", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    form = {"csrf_token": csrf, "name": "志愿者甲", "phone": "139 0000 1234", "id_number": "",
            "skills": ["elderly_care"], "availability": ["sat_morning"], "grid_id": "g1", "consent": "y"}
    done = browser.post(f"{s.gateway_url}/v/{token}", data=form, timeout=10, allow_redirects=False)
    assert done.status_code in (200, 201, 303), done.text[-1500:]
    forged = requests.post(f"{s.gateway_url}/v/{token}", data=form, timeout=10, allow_redirects=False)
    assert forged.status_code == 400  # the token without its cookie is refused
    assert db.sessions.count_documents({}) == 0
