"""The phone pages as a grid worker gets them, gateway and households both under gunicorn:
the register page of a 500-household grid under load, and the weight of every phone page."""
import gzip
import re
import secrets

import mongoengine
import requests

from shared.identity import generate_key_pair
from tests.bench.bench_list import GRID, seed
from tests.bench.servers import gunicorn, wrk
from tests.support.mongo import free_port
from tests.support.stack import csrf_token

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


def run(mongo_url: str, *, seconds: int = 8) -> dict:
    run_id = secrets.token_hex(4)
    db = f"bench_{run_id}"
    seed(mongo_url, db)
    private_key, public_key = generate_key_pair()
    env = {"MONGO_URL": mongo_url, "HOUSEHOLDS_MONGO_DB": db, "GATEWAY_MONGO_DB": f"bench_gw_{run_id}",
           "IDENTITY_PUBLIC_KEY": public_key,
           "GATEWAY_SECRET_KEY": secrets.token_urlsafe(24),
           "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672//"}
    with gunicorn("services.households.wsgi:app", free_port(), env) as households:
        env.update(HOUSEHOLDS_URL=households, IDENTITY_PRIVATE_KEY=private_key)  # the gateway alone signs
        import os

        os.environ.update(env)
        from gateway.app import create_app
        from gateway.seed import seed_demo_users

        seed_demo_users(create_app(), password="bench-pass-1", grid_ids=[GRID], community_ids=["BC"])
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
    return {"load": load, "weights": weights}
