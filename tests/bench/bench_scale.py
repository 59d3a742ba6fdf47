"""The scale run: 100,000 households in 200 grids across 10 communities (see scale_seed), then

- the register list's p50 (households API under gunicorn, a grid's first page of 50) with 1 grid loaded and with 200;
- each service's /metrics under gunicorn, the gauges refreshed per scrape (METRICS_REFRESH_S=0, as before issue 17)
  and in the background (METRICS_REFRESH_S > 0, production-like) when this checkout knows that setting;
- freezing the roll-call of the 5,000-household community (a drill started over its 10 grids);
- the 50,000-household import (bench_import).

    python -m tests.bench.bench_scale [--grids 200] [--per-grid 500] [--seconds 6] [--no-import]
"""
import argparse
import statistics
import time
import uuid

import mongoengine
import requests

from services.households.models import Household
from shared.config import COMMON
from shared.identity import HEADER, Principal, sign
from tests.bench import bench_import
from tests.bench.bench_drills_rollcall import PRIVATE_KEY, PUBLIC_KEY, auth, start_drill
from tests.bench.scale_seed import District, connect, load
from tests.bench.servers import database, gunicorn, wrk
from tests.support.mongo import free_port

SERVICES = ("households", "volunteers", "drills", "mediation")
SCRAPES = 15
REFRESH_S = 15  # production-like background refresh period for the scrape test


def _env(url: str, dbs: dict) -> dict:
    return {"MONGO_URL": url, "IDENTITY_PUBLIC_KEY": PUBLIC_KEY, "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672//",
            **{f"{service.upper()}_MONGO_DB": db for service, db in dbs.items()}}


def list_plan(grid_id: str) -> dict:
    """How the database finds a grid's register page (the list's $match and sort): the index and keys examined."""
    plan = Household._get_collection().find({"grid_id": grid_id, "status": "active"}).sort(
        "address_sort", 1).limit(50).explain()
    stage, index = plan.get("queryPlanner", {}).get("winningPlan", {}), None
    while stage and not index:
        index = stage.get("indexName")
        stage = stage.get("inputStage")
    return {"index": index or "none (a collection scan)",
            "keys_examined": plan.get("executionStats", {}).get("totalKeysExamined")}


def list_p50(env: dict, grid_id: str, *, seconds: int) -> float:
    """p50 ms of a grid worker's first page of 50 of `grid_id`'s register, one client, households API alone."""
    worker = Principal(user_id="bench-worker", role="grid_worker", grid_ids=(grid_id,))
    query = f"/households?grid_id={grid_id}&page_size=50"
    with gunicorn("services.households.wsgi:app", free_port(), env) as base:
        headers = {HEADER: sign(worker, key=PRIVATE_KEY, audience="households", method="GET", path=query)}
        wrk(base + query, connections=1, seconds=2, headers=headers)  # warm up: the first queries load indexes
        headers = {HEADER: sign(worker, key=PRIVATE_KEY, audience="households", method="GET", path=query)}
        result = wrk(base + query, connections=1, seconds=seconds, headers=headers)
    if result["errors"] or result["non2xx"]:
        raise RuntimeError(f"the list answered errors: {result}")
    return result["p50"]


def scrape_times(env: dict, service: str, *, refresh_s: int) -> dict:
    """ms per GET /metrics of `service` (sequential scrapes after one to warm up) and the answer's size."""
    env = {**env, "METRICS_REFRESH_S": str(refresh_s)}
    with gunicorn(f"services.{service}.wsgi:app", free_port(), env) as base:
        session = requests.Session()
        size = len(session.get(base + "/metrics", timeout=120).content)
        times = []
        for _ in range(SCRAPES):
            t = time.perf_counter()
            session.get(base + "/metrics", timeout=120).raise_for_status()
            times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": statistics.median(times), "max_ms": max(times), "bytes": size}


def freeze_seconds(env: dict, community_id: str) -> dict:
    """Seconds the drills API takes to start a drill over the community's grids (freezing each grid's roster)."""
    with gunicorn("services.drills.wsgi:app", free_port(), env) as base:
        drill, seconds = start_drill(base, community_id)
        staff = auth("community_staff", community_ids=(community_id,))
        board = requests.get(f"{base}/drills/{drill['id']}/board", auth=staff, timeout=60).json()
    return {"seconds": seconds, "households": board["total"], "grids": len(board["grids"])}


def run(mongo_url: str, *, district: District = District(), seconds: int = 6, import_size: int | None = 50000) -> dict:
    started = time.perf_counter()
    run_id = uuid.uuid4().hex[:8]
    dbs = {service: f"bench_scale_{run_id}_{service}" for service in SERVICES}
    env = _env(mongo_url, dbs)
    layout = district.layout()
    probe = layout[0][1]
    out = {"households": district.households, "grids": district.grids, "communities": district.communities}
    connect(mongo_url, dbs["households"], dbs["drills"])
    try:
        load(district, layout[:1])
        out["list_1_grid_p50_ms"] = list_p50(env, probe, seconds=seconds)
        t = time.perf_counter()
        load(district, layout[1:])
        out["load_s"] = time.perf_counter() - t
        out["list_all_grids_p50_ms"] = list_p50(env, probe, seconds=seconds)
        out["list_ratio"] = out["list_all_grids_p50_ms"] / out["list_1_grid_p50_ms"]
        out["list_plan"] = list_plan(probe)
        out["freeze"] = freeze_seconds(env, layout[0][0])  # a live drill for the drills gauges too
        modes = {"per_scrape": 0, **({"background": REFRESH_S} if "METRICS_REFRESH_S" in COMMON.declared else {})}
        out["metrics"] = {mode: {service: scrape_times(env, service, refresh_s=refresh) for service in SERVICES}
                          for mode, refresh in modes.items()}
    finally:
        client = mongoengine.get_connection()
        for db in dbs.values():
            client.drop_database(db)
        mongoengine.disconnect_all()
    if import_size:
        out["import"] = bench_import.run(mongo_url, sizes=(import_size,))[0]
    out["seconds"] = time.perf_counter() - started
    return out


def main(argv=None) -> int:
    from tests.bench.run import print_part

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grids", type=int, default=200)
    parser.add_argument("--per-grid", type=int, default=500, help="households per grid")
    parser.add_argument("--seconds", type=int, default=6, help="seconds of load per list measurement")
    parser.add_argument("--no-import", action="store_true", help="leave out the 50,000-household import")
    args = parser.parse_args(argv)
    with database() as (url, label):
        result = run(url, district=District(grids=args.grids, per_grid=args.per_grid), seconds=args.seconds,
                     import_size=None if args.no_import else 50000)
    print_part("scale", result, label)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
