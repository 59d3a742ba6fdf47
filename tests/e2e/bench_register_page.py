"""Benchmark (not a test): the grid register page of a 500-household grid.

    python -m tests.e2e.bench_register_page [--requests 200]

Reports server time p50/p99 for GET /grids/<id>/households (gateway + households service, both over
HTTP on this machine) and the bytes sent (HTML, CSS, JS; raw and gzip). Budget: HTML+CSS under
100 KB compressed, JS under 50 KB, p99 under 150 ms. Uses MONGO_URL if set, else a SecantusDB process:
database-bound figures are only meaningful against a real MongoDB, so the server used is printed.
"""
import argparse
import gzip
import statistics
import time

import requests

from gateway.seed import seed_demo_users
from tests.support.data import household
from tests.support.mongo import mongo_server
from tests.support.stack import csrf_token, seed_district, stack


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--households", type=int, default=500)
    args = parser.parse_args(argv)
    with mongo_server() as (url, which), stack(url) as s:
        seed_district(s, community_ids=("c1",), grids=(("c1", "g1"),))
        for n in range(args.households):
            s.households_call("POST", "/households",
                              json=household("g1", n, care_tag="elderly_alone" if n % 9 == 0 else None))
        seed_demo_users(s.gateway_app, password="bench-pass-1", grid_ids=["g1"], community_ids=["c1"])
        b = requests.Session()
        page = b.get(s.gateway_url + "/login")
        b.post(s.gateway_url + "/login", data={"csrf_token": csrf_token(page.text), "username": "worker-g1",
                                               "password": "bench-pass-1"})
        path = s.gateway_url + "/grids/g1/households"
        for _ in range(10):
            b.get(path)
        times = []
        for i in range(args.requests):
            started = time.perf_counter()
            r = b.get(path, params={"page": 1 + i % 10})
            times.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200
        html = b.get(path).content
        css = b.get(s.gateway_url + "/static/app.css").content
        js = b.get(s.gateway_url + "/static/app.js").content
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    gz = lambda data: len(gzip.compress(data))  # noqa: E731
    print(f"database: {which}; {args.households} households; {args.requests} requests")
    print(f"server time ms: p50 {statistics.median(times):.1f}  p99 {p99:.1f}  (budget p99 < 150)")
    print(f"HTML {len(html)} B ({gz(html)} gz)  CSS {len(css)} B ({gz(css)} gz)  JS {len(js)} B ({gz(js)} gz)")
    print(f"HTML+CSS compressed {gz(html + css)} B (budget < 102400); JS {len(js)} B (budget < 51200)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
