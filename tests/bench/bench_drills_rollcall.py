"""Drill roll-call under load: 10 grids × 500 households ticked by 10 phones at once (one per grid).

Reports ticks per second handled by the drills API (gunicorn, 1 process × 8 threads, as in production), each
tick's latency, and how long after a tick was stored the community's live board showed it (the board is polled
every 0.5 s like the live-board page does).

    python -m tests.bench.bench_drills_rollcall [--grids 10] [--households 500] [--batch 1]
"""
import argparse
import statistics
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import mongoengine
import requests

from services.drills import register_copy
from services.drills.models import Grid, Household, natural_key
from shared.events import new_event
from shared.identity import IdentityAuth, Principal, generate_key_pair
from tests.bench.servers import database, gunicorn

PRIVATE_KEY, PUBLIC_KEY = generate_key_pair()


def auth(role: str, **scope) -> IdentityAuth:
    """Signs each request as this caller for the drills service (identities live 30 s and name one call)."""
    principal = Principal(user_id=f"bench-{role}", role=role, name="压测", **scope)
    return IdentityAuth(principal, key=PRIVATE_KEY, audience="drills")


def _seed(url: str, db: str, grids: int, per_grid: int) -> list[str]:
    """Fill the drills service's copy of the register as the handler would (folded households events)."""
    mongoengine.connect(db=db, host=url, tz_aware=True, alias="default")
    grid_ids = [f"B-G{g:02d}" for g in range(grids)]
    for g in grid_ids:
        Grid(id=g, community_id="B-C1", name=f"{g}网格").save()
    docs = []
    for g in grid_ids:
        for n in range(per_grid):
            event = new_event("household.registered", version=1, source="bench", community_id="B-C1", grid_id=g, data={
                "household_id": uuid.uuid4().hex[:24], "residency": "registered",
                "address": {"building": f"{n // 40 + 1}栋", "unit": f"{n % 4 + 1}单元", "room": str(101 + n % 40)},
                "residents": [{"resident_id": uuid.uuid4().hex[:12], "name": f"居民{n}", "relation": "head",
                               "birth_year": 1940 if n % 25 == 0 else 1975,
                               "care_tags": ["disability"] if n % 50 == 0 else []}]})
            doc = register_copy.fold(None, event, event.data["household_id"], sort_key=natural_key)
            doc["version"] = 1
            docs.append(doc)
    Household._get_collection().insert_many(docs)
    mongoengine.disconnect()
    return grid_ids


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def start_drill(base: str, community_id: str) -> tuple[dict, float]:
    """Plan a drill over all the community's grids and start it, freezing their rosters: (the drill, seconds to start)."""
    staff = auth("community_staff", community_ids=(community_id,))
    now = datetime.now(timezone.utc)
    drill = requests.post(f"{base}/drills", auth=staff, timeout=30, json={
        "community_id": community_id, "title": "压测演练", "hazard": "accident", "level": "IV", "kind": "comprehensive",
        "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=2)).isoformat()})
    drill.raise_for_status()
    t = time.perf_counter()
    requests.post(f"{base}/drills/{drill.json()['id']}/start", auth=staff, timeout=600).raise_for_status()
    return drill.json(), time.perf_counter() - t


def run(url: str, *, grids: int = 10, per_grid: int = 500, batch: int = 1, port: int = 18103) -> dict:
    db = f"bench_drills_{uuid.uuid4().hex[:8]}"
    grid_ids = _seed(url, db, grids, per_grid)
    env = {"MONGO_URL": url, "DRILLS_MONGO_DB": db, "IDENTITY_PUBLIC_KEY": PUBLIC_KEY}
    with gunicorn("services.drills.wsgi:app", port, env) as base:
        staff = auth("community_staff", community_ids=("B-C1",))
        drill, start_s = start_drill(base, "B-C1")

        stored: list[tuple[float, int]] = []  # (monotonic time the tick's response arrived, 1)
        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        done = threading.Event()

        def phone(grid_id: str):
            worker = auth("grid_worker", grid_ids=(grid_id,))
            session = requests.Session()
            roll = session.get(f"{base}/drills/{drill['id']}/grids/{grid_id}/roster", auth=worker, timeout=30).json()
            ids = [h["household_id"] for h in roll["households"]]
            for i in range(0, len(ids), batch):
                chunk = ids[i:i + batch]
                body = {"ticks": [{"client_id": uuid.uuid4().hex, "household_id": h, "status": "evacuated"}
                                  for h in chunk]}
                t0 = time.perf_counter()
                try:
                    r = session.post(f"{base}/drills/{drill['id']}/grids/{grid_id}/ticks", json=body,
                                     auth=worker, timeout=60)
                    r.raise_for_status()
                except requests.RequestException:
                    with lock:
                        errors.append(len(chunk))
                    continue
                t1 = time.perf_counter()
                with lock:
                    latencies.append(t1 - t0)
                    stored.append((t1, len(chunk)))

        polls: list[tuple[float, int]] = []
        board_latency: list[float] = []

        def board():
            session = requests.Session()
            while not done.is_set():
                t0 = time.perf_counter()
                accounted = session.get(f"{base}/drills/{drill['id']}/board", auth=staff, timeout=30).json()["accounted"]
                t1 = time.perf_counter()
                board_latency.append(t1 - t0)
                polls.append((t1, accounted))
                time.sleep(0.5)

        poller = threading.Thread(target=board, daemon=True)
        poller.start()
        phones = [threading.Thread(target=phone, args=(g,)) for g in grid_ids]
        t0 = time.perf_counter()
        for p in phones:
            p.start()
        for p in phones:
            p.join()
        elapsed = time.perf_counter() - t0
        time.sleep(1.2)
        done.set()
        poller.join(5)

        # delay until the board shows a tick: first poll (answer time) whose count covers it, minus its store time
        stored.sort()
        delays, cumulative, j = [], 0, 0
        for at, n in stored:
            cumulative += n
            while j < len(polls) and (polls[j][1] < cumulative or polls[j][0] < at):
                j += 1
            if j < len(polls):
                delays.append(polls[j][0] - at)
        final = requests.get(f"{base}/drills/{drill['id']}/board", auth=staff, timeout=30).json()
    mongoengine.connect(db=db, host=url, alias="cleanup")
    mongoengine.get_connection("cleanup").drop_database(db)
    mongoengine.disconnect("cleanup")
    total = grids * per_grid
    return {"households": total, "grids": grids, "batch": batch, "start_s": start_s, "seconds": elapsed,
            "ticks_per_s": total / elapsed, "tick_p50_ms": _pct(latencies, 0.5), "tick_p95_ms": _pct(latencies, 0.95),
            "board_p50_ms": _pct(board_latency, 0.5), "board_p95_ms": _pct(board_latency, 0.95),
            "visible_p50_ms": _pct(delays, 0.5), "visible_p95_ms": _pct(delays, 0.95),
            "board_accounted": final["accounted"], "board_share": final["share"], "failed_requests": len(errors),
            "requests_mean_ms": statistics.mean(latencies) * 1000}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grids", type=int, default=10)
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--batch", type=int, default=1, help="ticks per request (a phone syncing its offline queue)")
    args = parser.parse_args(argv)
    with database() as (url, label):
        r = run(url, grids=args.grids, per_grid=args.households, batch=args.batch)
    print(f"Database: {label}")
    print(f"{r['grids']} grids × {r['households'] // r['grids']} households, {r['grids']} phones, "
          f"{r['batch']} tick(s) per request")
    print(f"start (freeze {r['households']} households): {r['start_s']:.1f} s")
    print(f"ticks handled: {r['ticks_per_s']:.0f}/s ({r['households']} in {r['seconds']:.1f} s); "
          f"request p50 / p95 {r['tick_p50_ms']:.0f} / {r['tick_p95_ms']:.0f} ms")
    print(f"live board request p50 / p95 {r['board_p50_ms']:.0f} / {r['board_p95_ms']:.0f} ms; a tick shows on the board "
          f"(polled every 0.5 s) after p50 / p95 {r['visible_p50_ms']:.0f} / {r['visible_p95_ms']:.0f} ms")
    print(f"board at the end: {r['board_accounted']} accounted, share {r['board_share']}; "
          f"failed requests: {r['failed_requests']}")
    return 0 if r["board_accounted"] == r["households"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
