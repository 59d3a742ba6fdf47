"""Pages that call several services call them at once (gateway/fanout.py), with one deadline: through the real
services, one service down or slower than the deadline leaves its part unavailable and named in one notice at the
top, and the page still answers; a fake upstream that holds every request until all have arrived shows the calls
are concurrent. Then fanout.gather itself: values in order, failures, the deadline, the request's context."""
import threading
from contextlib import contextmanager

import pytest
from flask import Flask, g, request
from werkzeug.wrappers import Request, Response

from gateway.fanout import gather
from gateway.upstream import ServiceError
from tests.support.pages import text
from tests.support.stack import serve, sign_in

pytestmark = pytest.mark.integration
PASSWORD = "demo-pass-1"
CLOSED = "http://127.0.0.1:9"  # nothing listens there: connection refused


def gateway(s, **overrides):
    """A gateway of its own in front of the stack's services, `overrides` replacing service URLs or settings."""
    from gateway.app import create_app
    from gateway.config import TestConfig

    urls = {**s.urls, **{k: v for k, v in overrides.items() if k in s.urls}}
    settings = {k: v for k, v in overrides.items() if k not in s.urls}
    return create_app(TestConfig(mongo_url=s.mongo_url, run_id=s.run_id, households_url=urls["households"],
                                 service_urls=urls, **settings))


def signed_in(app, username="worker-g1"):
    c = app.test_client()
    assert sign_in(c, username, PASSWORD).status_code == 303
    return c


class Held:
    """A fake service that answers every request only once it is released (or `expected` requests have arrived):
    it records how many had arrived when the first answered. Lists answer empty."""

    def __init__(self, expected: int | None = None, hold_s: float = 30.0):
        self.expected, self.hold_s = expected, hold_s
        self.arrived, self.arrived_at_first_answer = 0, None
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.arrived += 1
            if self.expected is not None and self.arrived >= self.expected:
                self.release.set()
        self.release.wait(self.hold_s)
        with self.lock:
            if self.arrived_at_first_answer is None:
                self.arrived_at_first_answer = self.arrived
        body = "[]" if request.path in ("/drills", "/compliance") else '{"items": [], "total": 0}'
        return Response(body, content_type="application/json")(environ, start_response)


@contextmanager
def held_service(**kw):
    fake = Held(**kw)
    try:
        with serve(fake) as url:
            yield fake, url
    finally:
        fake.release.set()  # whatever is still waiting answers, so the server stops at once


def test_one_service_down_leaves_its_section_out_named_in_one_notice(s):
    worker = signed_in(gateway(s, mediation=CLOSED))
    r = worker.get("/grids/g1/today")
    page = text(r)
    assert r.status_code == 200
    assert '<section id="disputes" class="unavailable">' in page and '<section id="desk" class="unavailable">' in page
    assert page.count("部分内容暂不可用") == 1 and "部分内容暂不可用：调解、求助与事件。" in page
    assert '<section id="drills">' in page and '<section id="volunteers">' in page and "户" in page
    worker.get("/lang/en?next=/")
    assert "Some parts are unavailable right now: Disputes, Requests and incidents." in text(worker.get("/grids/g1/today"))


def test_a_service_slower_than_the_deadline_is_unavailable_and_the_page_does_not_wait_for_it(s):
    # The gateway would wait for drills up to a minute; the page's deadline is 3 s (the real services answer in ms).
    with held_service() as (fake, url):
        worker = signed_in(gateway(s, drills=url, FANOUT_DEADLINE_S=3, SERVICE_READ_TIMEOUT_S=60))
        r = worker.get("/grids/g1/today")
        assert fake.arrived_at_first_answer is None  # the drills call is still held: the page did not wait for it
    page = text(r)
    assert r.status_code == 200 and '<section id="drills" class="unavailable">' in page
    assert "部分内容暂不可用：演练。" in page and '<section id="disputes">' in page


def test_the_calls_of_every_section_go_out_together(s):
    # A grid worker's page asks mediation twice for disputes and four times for the desk, drills once: the fake
    # holds each call until all seven have arrived (or 10 s: one after another, the first would answer alone).
    with held_service(expected=7, hold_s=10) as (fake, url):
        worker = signed_in(gateway(s, mediation=url, drills=url, FANOUT_DEADLINE_S=30))
        r = worker.get("/grids/g1/today")
    assert r.status_code == 200 and "部分内容暂不可用" not in text(r)
    assert fake.arrived == 7 and fake.arrived_at_first_answer == 7


def test_the_grids_page_asks_each_communitys_desk_figures_and_names_them_when_missing(s):
    staff = signed_in(gateway(s, mediation=CLOSED), "admin")
    r = staff.get("/grids")
    page = text(r)
    assert r.status_code == 200 and "desk-figures" not in page and "部分内容暂不可用：受理情况。" in page
    page = text(signed_in(s.gateway_app, "admin").get("/grids"))
    assert page.count('class="tbl desk-figures"') == 2 and "部分内容暂不可用" not in page  # c1 and c2, at once


# ---- gather itself --------------------------------------------------------------------------------------------

@pytest.fixture()
def app():
    app = Flask(__name__)
    app.config.update(FANOUT_DEADLINE_S=5.0, FANOUT_THREADS=4)
    return app


def test_gather_gives_each_value_in_the_order_asked_and_each_failure_as_it_was(app):
    refused = ServiceError("drills", 403, {"message": "not yours"})

    def fails(exc):
        raise exc

    with app.test_request_context():
        got = gather({"c": lambda: 3, "a": lambda: 1, "no": lambda: fails(refused), "bad": lambda: fails(KeyError("x")),
                      "b": lambda: 2})
    assert list(got) == ["c", "a", "no", "bad", "b"]
    assert [got[k].value for k in ("c", "a", "b")] == [3, 1, 2] and all(got[k].ok for k in "cab")
    assert got["no"].error is refused and isinstance(got["bad"].error, KeyError)
    with pytest.raises(ServiceError):
        got["no"].result()


def test_a_call_past_the_deadline_is_unavailable_and_one_not_started_never_runs(app):
    app.config["FANOUT_THREADS"] = 1
    release, ran = threading.Event(), []
    with app.test_request_context():
        got = gather({"held": lambda: release.wait(30), "queued": lambda: ran.append(1)}, deadline_s=0.2)
    try:
        for name in ("held", "queued"):
            assert isinstance(got[name].error, ServiceError) and got[name].error.status == 504
            assert got[name].error.unavailable
        assert not release.is_set()  # gather answered while the held call was still running
    finally:
        release.set()
    app.extensions["gateway_fanout"].shutdown(wait=True)
    assert ran == []  # cancelled before it started


def test_each_call_runs_in_a_copy_of_the_requests_context_and_g(app):
    with app.test_request_context("/grids/g1/today"):
        g.correlation_id = "abc"
        got = gather({"seen": lambda: (g.correlation_id, request.path)})
    assert got["seen"].value == ("abc", "/grids/g1/today")
