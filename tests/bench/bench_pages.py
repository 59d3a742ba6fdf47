"""The phone pages as a grid worker gets them, gateway and the four services under gunicorn:
the register page of a 500-household grid under load, the weight of every phone page, and the fan-out: the today
page's p50 against the slowest of the upstream calls it makes, each timed alone with the same identity."""
import gzip
import os
import re
import secrets
import statistics
import time
from contextlib import ExitStack

import mongoengine
import requests
from pymongo import MongoClient

from shared.identity import generate_key_pair
from tests.bench.bench_list import GRID, seed
from tests.bench.servers import gunicorn, wrk
from tests.support.mongo import free_port
from tests.support.stack import csrf_token

OTHERS = ("volunteers", "drills", "mediation")  # the services the today page asks besides households
BUDGET = {"html_css_gz": 100 * 1024, "js": 50 * 1024}


def _asset_urls(html: str) -> tuple[list[str], list[str]]:
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    js = re.findall(r'<script[^>]+src="([^"]+)"', html)
    return css, js


def weigh(session: requests.Session, base: str, path: str) -> dict:
    """Bytes of a page and what it loads: HTML and CSS compressed together, JS raw and compressed."""
    html = session.get(base + path).content
    css_urls, js_urls = _asset_urls(html.decode())
    css = b"".join(session.get(base + u).content for u in css_urls)
    js = b"".join(session.get(base + u).content for u in js_urls)
    return {"page": path, "html_css_gz": len(gzip.compress(html)) + len(gzip.compress(css)),
            "js": len(js), "js_gz": len(gzip.compress(js)) if js else 0}


def p50_ms(call, *, seconds: float, warm: int = 5) -> float:
    """The median of `call()`'s wall time, one call after another for about `seconds`."""
    for _ in range(warm):
        call()
    times, until = [], time.perf_counter() + seconds
    while time.perf_counter() < until or len(times) < 20:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fanout(gateway_app, worker, session: requests.Session, base: str, *, seconds: float) -> dict:
    """The today page's p50 through the gateway against each upstream call it makes, timed alone from this process
    with the gateway's own client and the same identity (`worker`, the signed-in grid worker's)."""
    from gateway import today

    page = f"/grids/{GRID}/today"
    first = session.get(base + page)
    missing = re.search(r'class="flash warn missing"[^>]*>([^<]*)', first.text)
    assert first.status_code == 200 and not missing, missing and missing.group(1)  # every part there
    with gateway_app.test_request_context(page):
        upstream = [(getattr(call, "label", "/".join(key)), p50_ms(call, seconds=seconds / 4))
                    for key, call in today.page_calls(GRID, worker).items()]
    page_p50 = p50_ms(lambda: session.get(base + page), seconds=seconds)
    slowest, slowest_p50 = max(upstream, key=lambda row: row[1])
    return {"page": "/grids/<id>/today", "p50_ms": page_p50, "slowest_upstream": slowest,
            "slowest_upstream_p50_ms": slowest_p50, "ratio": page_p50 / slowest_p50, "upstream_p50_ms": upstream}


def run(mongo_url: str, *, seconds: int = 8) -> dict:
    run_id = secrets.token_hex(4)
    db = f"bench_{run_id}"
    seed(mongo_url, db)
    private_key, public_key = generate_key_pair()
    env = {"MONGO_URL": mongo_url, "HOUSEHOLDS_MONGO_DB": db, "GATEWAY_MONGO_DB": f"bench_gw_{run_id}",
           **{f"{name.upper()}_MONGO_DB": f"{db}_{name}" for name in OTHERS},
           "IDENTITY_PUBLIC_KEY": public_key,
           "GATEWAY_SECRET_KEY": secrets.token_urlsafe(24),
           "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672//"}
    with ExitStack() as servers:
        env.update({f"{name.upper()}_URL": servers.enter_context(gunicorn(f"services.{name}.wsgi:app", free_port(), env))
                    for name in ("households", *OTHERS)})
        env["IDENTITY_PRIVATE_KEY"] = private_key  # the gateway alone signs
        # No workers run here: the volunteers service, which learns the grid's community from the register's events,
        # is given its copy of the grid directly.
        with MongoClient(mongo_url) as mongo:
            mongo[env["VOLUNTEERS_MONGO_DB"]]["grids"].insert_one({"_id": GRID, "community_id": "BC", "name": "基准网格"})
        os.environ.update(env)
        from gateway.app import create_app
        from gateway.models import User
        from gateway.seed import seed_demo_users

        app = create_app()
        seed_demo_users(app, password="bench-pass-1", grid_ids=[GRID], community_ids=["BC"])
        with app.app_context():
            worker = User.objects(username=f"worker-{GRID}".lower()).first().principal()
        mongoengine.disconnect_all()
        with gunicorn("gateway.wsgi:app", free_port(), env) as gateway:
            session = requests.Session()
            page = session.get(gateway + "/login")
            session.post(gateway + "/login", data={"csrf_token": csrf_token(page.text), "username": f"worker-{GRID}".lower(),
                                                   "password": "bench-pass-1"})
            page = session.get(gateway + "/password")  # a seeded password must be changed at first sign-in
            changed = session.post(gateway + "/password", data={
                "csrf_token": csrf_token(page.text), "current": "bench-pass-1", "new": "Bench-pass-2-own",
                "repeat": "Bench-pass-2-own"}, allow_redirects=False)
            assert changed.status_code in (302, 303), changed.text[:300]
            register = f"/grids/{GRID}/households"
            listing = session.get(gateway + register)
            assert listing.status_code == 200, listing.text[:300]
            household = re.search(r'href="(/households/[0-9a-f]{24})"', listing.text).group(1)
            cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
            load = [{"clients": c, **wrk(gateway + register, connections=c, seconds=seconds, headers={"Cookie": cookie})}
                    for c in (1, 8, 32)]
            paths = ["/login", f"/grids/{GRID}/today", register, f"{register}?q=1栋", household,
                     f"{household}/visit", f"{household}/edit", f"/grids/{GRID}/households/new"]
            weights = [weigh(session, gateway, p) for p in paths]
            login_page = requests.get(gateway + "/login")
            weights[0] = weigh(requests.Session(), gateway, "/login") if login_page.ok else weights[0]
            fanned = fanout(app, worker, session, gateway, seconds=seconds)
    return {"load": load, "weights": weights, "fanout": fanned}
