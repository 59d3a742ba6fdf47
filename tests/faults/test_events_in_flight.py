"""Proves: with GRID_FAULT_EVENTS (default 10,000) domain events in flight from the households service to the
workers of households, volunteers, drills and mediation (each a process, on the real RabbitMQ), stopping RabbitMQ
mid-flow and starting it again loses nothing and doubles nothing: every consumer has handled every event it
subscribes to exactly once (its inbox holds each event id once) and its effects are there once each (its copy of
the register holds each household once; volunteers hold one care need per resident flagged for care); requests
made during the outage answer quickly (they never publish: their events wait in the outbox); the time to catch up
once the broker is back is printed.

The events come from the register import (batched writes, each household's events in its outbox): households of
four people, each flagged for care, so a household raises household.registered and four resident.care_flagged;
one sheet per grid of up to 500 households, two grids per community. On the SecantusDB stand-in each consuming
service gets a database server of its own (the stand-in serves one request at a time), as in production, and
runs GRID_FAULT_WORKERS (default 2) worker processes competing for its queues."""
import io
import math
import os
import tempfile
import time
from contextlib import ExitStack

import mongoengine
import pytest
from pymongo import MongoClient
from pymongo.errors import AutoReconnect

from services.households.app import create_app
from tests.support import broker
from tests.support.callers import headers_for
from tests.support.data import household, register_csv
from tests.support.imports import run_import
from tests.support.mongo import free_port
from tests.support.rabbit_control import start_broker, stop_broker
from tests.support.workers import (
    SERVICES,
    declare_queues,
    labelled,
    metric_samples,
    metric_total,
    run_config,
    start_worker,
    stop_workers,
    wait_http,
)

EVENTS = int(os.environ.get("GRID_FAULT_EVENTS", "10000"))
MEMBERS = 4                      # people per household, each flagged for care: 1 + 4 events per household
PER_GRID = 500
OUTAGE_S = 8.0                   # how long RabbitMQ stays stopped while requests come in
OUTAGE_REQUESTS = 20             # registrations made while it is stopped (one event each), spread over the outage
# worker processes of each consuming service, all on the same queues (competing consumers; the inbox keeps each
# effect single); the households service runs one (its relay empties the outboxes)
WORKERS = int(os.environ.get("GRID_FAULT_WORKERS", "2"))
# the relay's pause when nothing is waiting, as in production (each pass reads the outboxes of every document)
OUTBOX_POLL_S = 0.5
REGISTERED, FLAGGED = "household.registered", "resident.care_flagged"
# (service, its queue for these events, the event types it takes)
CONSUMERS = [("households", "refresh_grids", (REGISTERED, FLAGGED)), ("volunteers", "keep_register", (REGISTERED,)),
             ("volunteers", "care_needs", (FLAGGED,)), ("drills", "keep_roster", (REGISTERED, FLAGGED)),
             ("mediation", "keep_register", (REGISTERED, FLAGGED))]


@pytest.fixture
def servers(mongo_url):
    """{service: MongoDB URL}: the session's server for all on a real MongoDB, one stand-in server each otherwise."""
    if os.environ.get("MONGO_URL"):
        yield {name: mongo_url for name in SERVICES}
        return
    from tests.support.mongo import secantus

    with ExitStack() as stack:
        urls = {"households": mongo_url}
        for name in SERVICES[1:]:
            urls[name], _ = stack.enter_context(secantus())
        yield urls


@pytest.fixture
def run(servers, amqp_url, run_id):
    configs = {name: run_config(name, mongo_url=servers[name], run_id=run_id, amqp_url=amqp_url)
               for name in SERVICES}
    for name, config in configs.items():
        declare_queues(config, name)  # every queue exists before the first event is published
    app = create_app(configs["households"])
    logs = tempfile.mkdtemp(prefix=f"events-in-flight-{run_id}-")
    with ExitStack() as stack:
        clients = {name: stack.enter_context(MongoClient(config.MONGO_URL)) for name, config in configs.items()}
        yield {"configs": configs, "app": app, "logs": logs, "clients": clients}
        for name, config in configs.items():
            clients[name].drop_database(config.MONGO_DB)
    try:
        broker.delete_exchanges(configs["households"].EVENT_EXCHANGE, configs["households"].EVENT_EXCHANGE + ".dead")
    except Exception:  # the broker may be away if the test failed mid-outage; leftovers expire
        pass


def handled(run) -> dict:
    """Per consumer queue: how many of its events its inbox holds (one record per event id: a unique index)."""
    out = {}
    for service, queue, types in CONSUMERS:
        config = run["configs"][service]
        out[f"{service}.{queue}"] = run["clients"][service][config.MONGO_DB]["processed_events"].count_documents(
            {"consumer": f"{config.QUEUE_PREFIX}{service}.{queue}", "event_type": {"$in": list(types)}})
    return out


def reported(run, ports) -> dict:
    """Per consumer queue: the events its workers report handled or skipped as already handled (their /metrics).

    An event whose ack was lost with the broker is counted "duplicate" on its redelivery, not "processed", so
    the sum can only run ahead of the inboxes (a republished event counts twice), never stay behind them."""
    samples = {service: [s for port in ports[service] for s in metric_samples(port, "grid_events_consumed_total")]
               for service in SERVICES}
    out = {}
    for service, queue, types in CONSUMERS:
        name = f"{run['configs'][service].QUEUE_PREFIX}{service}.{queue}"
        out[f"{service}.{queue}"] = int(sum(labelled(samples[service], queue=name, type=event_type, outcome=outcome)
                                            for event_type in types for outcome in ("processed", "duplicate")))
    return out


def caught_up(counts: dict, expected: dict) -> bool:
    return all(counts[queue] >= n for queue, n in expected.items())


def wait_for_counts(count, done, expected, *, restarted, deadline) -> None:
    """Poll `count()` each second until `done` says so, printing progress each minute, failing at `deadline`."""
    shown = time.perf_counter()
    while not done(now := count()):
        assert time.perf_counter() < deadline, f"not caught up: {now}, expected {expected}"
        if time.perf_counter() - shown > 60:
            shown = time.perf_counter()
            print(f"  [{shown - restarted:.0f} s after the restart] handled {now} of {expected}", flush=True)
        time.sleep(1.0)


class Watch:
    """The test's own look at the relay's progress. The stand-in serves one request at a time, so a look may wait
    behind a large batch of the relay's; a look that times out is a look missed, not a fault of the system under
    test (its workers retry theirs). The slowest look is reported."""

    def __init__(self, db):
        self.db, self.slowest, self.missed = db, 0.0, 0

    def sent(self) -> int | None:
        began = time.perf_counter()
        try:
            return self.db["outbox_sent"].estimated_document_count()
        except AutoReconnect:
            self.missed += 1
            return None
        finally:
            self.slowest = max(self.slowest, time.perf_counter() - began)


def test_events_in_flight_across_services_survive_a_broker_restart_exactly_once(run):
    configs, app, clients = run["configs"], run["app"], run["clients"]
    web = app.test_client()
    admin = headers_for(app, role="admin")
    households = math.ceil(EVENTS / (1 + MEMBERS))
    grids = [f"C{n // 2 + 1:02d}-G{n % 2 + 1}" for n in range(math.ceil(households / PER_GRID))]
    assert web.post("/streets", json={"id": "S1", "name": "城关街道", "district": "示范区"}, headers=admin).status_code == 201
    for community in sorted({g.split("-")[0] for g in grids}):
        assert web.post("/communities", json={"id": community, "name": f"{community}社区", "street_id": "S1"},
                        headers=admin).status_code == 201
    for grid in grids:
        assert web.post("/grids", json={"id": grid, "name": f"{grid}网格", "community_id": grid.split("-")[0]},
                        headers=admin).status_code == 201

    # the register arrives: one import per grid; no request publishes, the outboxes hold every event
    began = time.perf_counter()
    for i, grid in enumerate(grids):
        n = min(PER_GRID, households - i * PER_GRID)
        sheet = register_csv(n, first=i * PER_GRID, members=MEMBERS, care="空巢老人")
        r = run_import(web, grid, headers=admin, deadline_s=600, file=(io.BytesIO(sheet), "register.csv"),
                       mode="all_or_nothing", dry_run="false")
        assert r.status_code == 201 and r.json["imported"] == n, r.json
    imported_in = time.perf_counter() - began
    db = mongoengine.get_db()
    produced = {REGISTERED: households, FLAGGED: households * MEMBERS}
    in_outboxes = list(db["households"].aggregate([{"$unwind": "$outbox"}, {"$group": {"_id": "$outbox.type",
                                                                                       "n": {"$sum": 1}}}]))
    assert {row["_id"]: row["n"] for row in in_outboxes} == produced
    events = sum(produced.values())

    watch = Watch(db)
    ports = {name: [free_port() for _ in range(1 if name == "households" else WORKERS)] for name in SERVICES}
    procs, during = [], []
    try:
        for name in SERVICES:  # one at a time: each creates its indexes before it consumes
            for i, port in enumerate(ports[name]):
                procs.append(start_worker(configs[name], name, metrics_port=port, outbox_poll_s=OUTBOX_POLL_S,
                                          log_path=os.path.join(run["logs"], f"{name}-worker-{i}.log")))
                wait_http(port)
        flow_began = time.perf_counter()
        # mid-flow: a quarter of the events published, some already handled
        broker.wait_until(lambda: (watch.sent() or 0) >= events // 4, timeout=900, interval=0.1)
        published_before = watch.sent()
        handled_before = handled(run)
        stop_broker()
        stopped_at = time.perf_counter()
        try:
            # requests during the outage: registrations answer at once, their events wait in the outbox
            for n in range(OUTAGE_REQUESTS):
                started = time.perf_counter()
                r = web.post("/households", json=household(grids[0], 100_000 + n), headers=admin)
                during.append((r.status_code, time.perf_counter() - started))
                time.sleep(max(0.0, stopped_at + (n + 1) * OUTAGE_S / OUTAGE_REQUESTS - time.perf_counter()))
        finally:
            start_broker()
        restarted = time.perf_counter()
        outage_s = restarted - stopped_at
        assert all(status == 201 for status, _ in during), during
        slowest = max(t for _, t in during)
        produced[REGISTERED] += len(during)
        expected = {f"{service}.{queue}": sum(produced[t] for t in types) for service, queue, types in CONSUMERS}

        deadline = restarted + max(900.0, events / 4)
        # progress from the workers' /metrics first: counting the inboxes every second would load the stand-ins
        wait_for_counts(lambda: reported(run, ports), lambda now: caught_up(now, expected), expected,
                        restarted=restarted, deadline=deadline)
        wait_for_counts(lambda: handled(run), lambda now: now == expected, expected, restarted=restarted,
                        deadline=deadline)
        caught_up_s = time.perf_counter() - restarted
        flow_s = time.perf_counter() - flow_began
        time.sleep(2)  # a late redelivery would show now
        final = handled(run)
        duplicates = {name: int(sum(metric_total(port, "grid_events_consumed_total", outcome="duplicate")
                                    for port in ports[name])) for name in SERVICES}
        relay = ports["households"][0]
        published = int(metric_total(relay, "grid_events_published_total", type=REGISTERED)
                        + metric_total(relay, "grid_events_published_total", type=FLAGGED))
    finally:
        stop_workers(procs)

    total_households = produced[REGISTERED]
    assert final == expected, final
    store = {name: clients[name][configs[name].MONGO_DB] for name in SERVICES}
    assert store["volunteers"]["household_copies"].count_documents({}) == total_households
    assert store["volunteers"]["needs"].count_documents({"kind": "care"}) == produced[FLAGGED]
    assert store["drills"]["households"].count_documents({}) == total_households
    assert store["mediation"]["register_households"].count_documents({}) == total_households
    assert sum(s.get("households", 0) for s in store["households"]["grid_summaries"].find()) == total_households
    assert db["outbox_sent"].count_documents({"type": {"$in": [REGISTERED, FLAGGED]}}) == sum(produced.values())
    assert db["households"].count_documents({"outbox.0": {"$exists": True}}) == 0
    effects = sum(expected.values())
    print(f"\n[events in flight] {sum(produced.values())} events ({produced[REGISTERED]} household.registered, "
          f"{produced[FLAGGED]} resident.care_flagged; {households} households of {MEMBERS} imported into "
          f"{len(grids)} grids in {imported_in:.1f} s, {len(during)} registered during the outage) to 5 consumer "
          f"queues in 4 services ({WORKERS} worker processes each but households): {effects} handlings, each exactly "
          f"once. RabbitMQ stopped after {published_before} "
          f"were published ({handled_before}), down {outage_s:.1f} s; slowest request during the outage "
          f"{slowest * 1000:.0f} ms; caught up {caught_up_s:.1f} s after the broker returned (whole flow "
          f"{flow_s:.1f} s); {published} publishes ({published - sum(produced.values())} repeated); redeliveries "
          f"absorbed by the inboxes: {duplicates}; the test's slowest look at the households database "
          f"{watch.slowest:.1f} s ({watch.missed} timed out)")
    assert slowest < 5.0
