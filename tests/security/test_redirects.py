"""Issue 12 point 6: every `next` (sign-in, the language link) stays on the site, and none answers 500.

Played through the gateway as an outsider crafting links would: each known open-redirect bypass is sent
to /login (signed in and signing in) and to /lang/<code>; the browser would land on the site every time.
"""
import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from gateway.seed import seed_demo_users
from tests.support.stack import sign_in, stack

PASSWORD = "demo-pass-1"
SITE = "http://localhost"

# Raw `next` values: as a browser or proxy would read them after the query is decoded once.
BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example/x", "/\\evil.example", "\\\\evil.example",
    "/\\/evil.example", "/%09/evil.example", "/\t/evil.example", "/\n/evil.example", "/%2f%2fevil.example",
    "/%2F/evil.example", "/%5cevil.example", "/%5c%5cevil.example", "https://evil.example", "http:/evil.example",
    "https:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "@evil.example", "evil.example", "/\uff0fevil.example", "\uff0f\uff0fevil.example", "/\uff3cevil.example",
    "/%0d%0aLocation:%20https://evil.example", "/\r\nSet-Cookie: x=1", "/%0aenv;", "/\x00/evil.example",
    " //evil.example", "/ /evil.example", "/%252f%252fevil.example", "/%E3%80%82evil.example/..//evil.example",
    "/.evil.example", "//evil.example@localhost", "/\u2028/evil.example", "/%e2%80%a8//evil.example",
]
LEGITIMATE = ["/grids/g1/today", "/households/0123456789abcdef01234567?tab=visits", "/v/me/abc?x=%E5%B1%85"]


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1"], community_ids=["c1"])
        yield st


def lands_on_site(response) -> str:
    assert response.status_code in (301, 302, 303, 307, 308, 400), response.status_code
    if response.status_code == 400:
        return ""
    location = response.headers["Location"]
    assert not any(c in location for c in "\r\n\t\\"), location
    target = urlsplit(urljoin(SITE + "/login", location))
    assert (target.scheme, target.netloc) == ("http", "localhost"), location
    return target.path


@pytest.mark.parametrize("payload", BYPASSES)
def test_language_link_stays_on_the_site(s, payload):
    client = s.gateway_app.test_client()
    r = client.get(f"/lang/en?next={quote(payload, safe='')}", base_url=SITE)
    lands_on_site(r)
    raw = client.get("/lang/zh_CN?next=" + payload.replace(" ", "%20").replace("\n", "%0A").replace("\r", "%0D")
                     .replace("\t", "%09").replace("\x00", "%00").replace("#", "%23"), base_url=SITE)
    assert raw.status_code < 500
    lands_on_site(raw)


@pytest.mark.parametrize("payload", BYPASSES)
def test_sign_in_next_stays_on_the_site(s, payload):
    client = s.gateway_app.test_client()
    r = sign_in(client, "worker-g1", PASSWORD, next_path=payload)
    assert r.status_code == 303
    lands_on_site(r)
    again = client.get(f"/login?next={quote(payload, safe='')}", base_url=SITE)  # already signed in
    lands_on_site(again)
    form = client.get("/logout")  # GET is not a sign-out; the session stays
    assert form.status_code == 405


def test_the_reported_500_is_gone(s):
    r = s.gateway_app.test_client().get("/lang/en?next=/%0Aenv;", base_url=SITE)
    assert r.status_code == 302 and r.headers["Location"] == "/"


@pytest.mark.parametrize("target", LEGITIMATE)
def test_paths_on_the_site_are_still_followed(s, target):
    client = s.gateway_app.test_client()
    assert lands_on_site(sign_in(client, "worker-g1", PASSWORD, next_path=target)) == urlsplit(target).path
    assert client.get(f"/lang/en?next={quote(target, safe='')}").headers["Location"] == target


def test_a_next_on_the_sign_in_form_is_cleaned_before_it_is_shown(s):
    page = s.gateway_app.test_client().get("/login?next=" + quote("//evil.example", safe=""))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and re.search(r'<input id="next" name="next" type="hidden" value="">', html), \
        re.findall(r'<input[^>]*name="next"[^>]*>', html)
