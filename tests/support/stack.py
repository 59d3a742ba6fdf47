"""The test harness: serve apps over real HTTP in threads, seed a small district.

Nothing here runs in production; it imports no test framework.
"""
import os
import re
import threading
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from pymongo import MongoClient
from werkzeug.serving import make_server

from shared.identity import HEADER, Principal, sign
from tests.support import broker

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|<meta name="csrf-token" content="([^"]+)"')


@contextmanager
def serve(app, host: str = "127.0.0.1"):
    """Serve a WSGI app on a free port in a background thread; yields its base URL."""
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{server.port}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form (or the page's meta tag) in `html`."""
    m = CSRF.search(html)
    if not m:
        raise AssertionError("no CSRF token on the page")
    return m.group(1) or m.group(2)


SEED_ADMIN = Principal(user_id="seed", role="admin", name="seed")


def identity_headers(principal: Principal, *, key: str, service: str, method: str, path: str) -> dict:
    """A genuine identity for one call straight to a service (setup and checks), as the gateway would sign it."""
    return {HEADER: sign(principal, key=key, audience=service, method=method, path=path)}


@dataclass
class Stack:
    """The households service and the gateway, both served over HTTP."""

    households_app: object
    households_url: str
    gateway_app: object
    gateway_url: str
    secret: str  # the identity private key of this test process (the services hold only the public key)
    run_id: str
    grids: dict = field(default_factory=dict)

    def households_call(self, method: str, path: str, **kwargs):
        """Call the households service directly as a district admin (setup and checks)."""
        import requests

        headers = {**identity_headers(SEED_ADMIN, key=self.secret, service="households", method=method, path=path),
                   **kwargs.pop("headers", {})}
        response = requests.request(method, self.households_url + path, headers=headers, timeout=30, **kwargs)
        return response


@contextmanager
def stack(mongo_url: str, run_id: str | None = None, **gateway_overrides):
    """Start the households service and the gateway against `mongo_url`, databases named by run."""
    from gateway.app import create_app
    from gateway.config import TestConfig as GatewayTestConfig
    from services.households.app import create_app as create_households
    from shared.config import TestConfig as ServiceTestConfig

    run_id = run_id or uuid.uuid4().hex[:10]
    households = create_households(ServiceTestConfig("households", mongo_url=mongo_url, run_id=run_id))
    secret = os.environ["IDENTITY_PRIVATE_KEY"]  # the pair ServiceTestConfig made for this process
    with ExitStack() as stack_:
        households_url = stack_.enter_context(serve(households))
        gateway = create_app(GatewayTestConfig(mongo_url=mongo_url, run_id=run_id, households_url=households_url,
                                               **gateway_overrides))
        gateway_url = stack_.enter_context(serve(gateway))
        yield Stack(households, households_url, gateway, gateway_url, secret, run_id)


def seed_district(s: Stack, *, community_ids=("c1", "c2"), grids=(("c1", "g1"), ("c1", "g2"), ("c2", "g3"))) -> None:
    """A street, communities and grids in the households service."""
    def ok(response):
        assert response.status_code in (200, 201), response.text
        return response.json()

    ok(s.households_call("POST", "/streets", json={"id": "s1", "name": "测试街道", "district": "测试区"}))
    for cid in community_ids:
        ok(s.households_call("POST", "/communities", json={"id": cid, "name": f"{cid}社区", "street_id": "s1"}))
    for cid, gid in grids:
        s.grids[gid] = ok(s.households_call("POST", "/grids", json={"id": gid, "name": f"第{gid}网格",
                                                                      "community_id": cid}))


def register(s: Stack, body: dict) -> dict:
    response = s.households_call("POST", "/households", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def sign_in(client, username: str, password: str, *, next_path: str = ""):
    """Sign in through the real form (with its CSRF token) using a Flask test client."""
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                       "username": username, "password": password, "next": next_path})


def page_token(client, path: str = "/grids") -> str:
    """The CSRF token the signed-in user's pages carry."""
    return csrf_token(client.get(path).get_data(as_text=True))


# ---- the whole product: every service and its worker in its own process ---------------------------------
#
# Each service connects mongoengine's default alias to its own database, and two services share
# collection names (grids, households, volunteers), so they cannot share one process. The full stack
# therefore runs each service's API and worker as a child process (as `make run` does), and the gateway
# in this process (its documents live on their own alias).

SERVICES = ("households", "volunteers", "drills", "mediation")
_SERVE = ("import sys; from werkzeug.serving import make_server; import importlib; "
          "app = importlib.import_module(f'services.{sys.argv[1]}.app').create_app(); "
          "make_server('127.0.0.1', int(sys.argv[2]), app, threaded=True).serve_forever()")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, procs, timeout: float = 120.0) -> None:
    import time

    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode} while starting")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


class _Deferred:
    """A WSGI app set later: the gateway's server (and so its address) exists before the gateway app."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@dataclass
class FullStack:
    """Every service (API and worker, each a process) and the gateway (in this process), over HTTP."""

    urls: dict
    gateway_app: object
    gateway_url: str
    secret: str  # the identity private key of this test process (the services hold only the public key)
    run_id: str
    mongo_url: str
    log_dir: str
    grids: dict = field(default_factory=dict)

    @property
    def households_url(self) -> str:
        return self.urls["households"]

    def call(self, service: str, method: str, path: str, *, principal: Principal | None = None, **kwargs):
        """Call a service directly (setup and checks), as a district admin unless `principal` is given."""
        import requests

        headers = {**identity_headers(principal or SEED_ADMIN, key=self.secret, service=service, method=method,
                                      path=path), **kwargs.pop("headers", {})}
        return requests.request(method, self.urls[service] + path, headers=headers, timeout=30, **kwargs)

    def households_call(self, method: str, path: str, **kwargs):
        return self.call("households", method, path, **kwargs)

    def wait_for(self, predicate, timeout: float = 30.0, interval: float = 0.1):
        """Poll until `predicate()` is truthy (events take a moment to reach the other services)."""
        return broker.wait_until(predicate, timeout=timeout, interval=interval)


def _broker_url(mongo_url: str, run_id: str) -> str:
    """RabbitMQ when it answers (TEST_AMQP_URL or the local one); otherwise kombu's MongoDB transport."""
    return broker.AMQP_URL if broker.broker_up() else f"{mongo_url.rstrip('/')}/test_{run_id}_bus"


# Public-page limits high enough for a test that signs up and reads many times from one address.
UNTHROTTLED = {name: "10000 per minute" for name in ("PUBLIC_READ_LIMIT_IP", "PUBLIC_READ_LIMIT_TOKEN",
                                                      "PUBLIC_WRITE_LIMIT_IP", "PUBLIC_WRITE_LIMIT_TOKEN")}


def _keep_own_gateway_database(app, config) -> None:
    """The gateway's documents are on one process-wide mongoengine alias, pointed at the database of the gateway
    app created last. A stack that outlives a later one (the session's seeded stack) points it back at its own
    database whenever one of its contexts (a request, app_context()) starts."""
    import mongoengine
    from flask import appcontext_pushed

    from gateway import db

    def own_database(sender, **_):
        try:
            current = mongoengine.get_db(db.ALIAS).name
        except mongoengine.connection.ConnectionFailure:
            current = None
        if current != config.MONGO_DB:
            db.connect(config)

    appcontext_pushed.connect(own_database, app, weak=False)


@contextmanager
def full_stack(mongo_url: str, run_id: str | None = None, *, services=SERVICES, **gateway_overrides):
    """Start the services (API and worker each), then the gateway; databases and queues named by run."""
    import subprocess
    import sys
    import tempfile

    from pymongo import MongoClient

    from gateway.app import create_app
    from gateway.config import TestConfig as GatewayTestConfig
    from shared.config import ensure_test_identity_keys

    run_id = run_id or uuid.uuid4().hex[:10]
    ensure_test_identity_keys()
    secret = os.environ["IDENTITY_PRIVATE_KEY"]
    log_dir = tempfile.mkdtemp(prefix=f"grid-stack-{run_id}-")
    holder = _Deferred()
    gateway_server = make_server("127.0.0.1", 0, holder, threaded=True)
    gateway_url = f"http://127.0.0.1:{gateway_server.port}"
    # The services get the public key only: the private key stays in this (the gateway's) process.
    env = {**{k: v for k, v in os.environ.items() if k != "IDENTITY_PRIVATE_KEY"}, "PYTHONUNBUFFERED": "1",
           "MONGO_URL": mongo_url, "IDENTITY_PUBLIC_KEY": os.environ["IDENTITY_PUBLIC_KEY"],
           "AMQP_URL": _broker_url(mongo_url, run_id), "EVENT_EXCHANGE": f"test.{run_id}.events",
           "QUEUE_PREFIX": f"test.{run_id}.", "QUEUE_EXPIRES_MS": "600000", "RETRY_DELAYS_MS": "50,100,200",
           "OUTBOX_POLL_S": "0.05", "METRICS_PORT": "0", "PUBLIC_BASE_URL": gateway_url,
           "DEADLINE_CHECK_S": "5",
           # The key `stack` (TestConfig) gives households, so numbers hashed in one are found by the other.
           "LOOKUP_HMAC_KEY": os.environ.get("LOOKUP_HMAC_KEY") or "test-lookup-key",
           **{f"{name.upper()}_MONGO_DB": f"test_{run_id}_{name}" for name in SERVICES}}
    procs, urls, logs, thread = [], {}, [], None
    try:
        for name in services:
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            for kind, cmd in (("api", [sys.executable, "-c", _SERVE, name, str(port)]),
                              ("worker", [sys.executable, "-m", f"services.{name}.worker"])):
                log = open(os.path.join(log_dir, f"{name}-{kind}.log"), "ab")
                logs.append(log)
                procs.append((f"{name} {kind}", subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)))
        for name in services:
            _wait_http(urls[name] + "/healthz", procs)
        config = GatewayTestConfig(mongo_url=mongo_url, run_id=run_id,
                                   households_url=urls.get("households", "http://127.0.0.1:9"),
                                   service_urls=urls, **gateway_overrides)
        holder.app = create_app(config)
        _keep_own_gateway_database(holder.app, config)
        thread = threading.Thread(target=gateway_server.serve_forever, name="serve-gateway", daemon=True)
        thread.start()
        yield FullStack(urls, holder.app, gateway_url, secret, run_id, mongo_url, log_dir)
    finally:
        if thread is not None:
            gateway_server.shutdown()
            thread.join(10)
        gateway_server.server_close()
        for _, proc in procs:
            proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()
        try:
            with MongoClient(mongo_url, serverSelectionTimeoutMS=2000) as client:
                for name in (*SERVICES, "gateway", "bus"):
                    client.drop_database(f"test_{run_id}_{name}")
        except Exception:  # cleaning up is best effort
            pass


def staff_principal(community_id: str = "c1", *, user_id: str = "s-c1", role: str = "community_staff") -> Principal:
    return Principal(user_id=user_id, role=role, name="社区干部", community_ids=(community_id,))


DEMO_PASSWORD = "demo-pass-1"  # the users seed_full makes sign in with it


def seed_full(s: FullStack, *, households_per_grid: int = 12, password: str = DEMO_PASSWORD) -> dict:
    """The small district of `seed_district`, households in g1 (every 5th in special care) and g3, the demo
    users, community names in volunteers, the mediator on the roster; waits until the other services have
    the register from the households events. Returns {"g1": [households], "g3": [...], "users": [...]}."""
    from gateway.models import User
    from gateway.seed import seed_demo_users

    def household(grid_id: str, n: int, care: bool) -> dict:
        head = {"name": f"居民{n}", "gender": "female", "birth_date": "1950-01-01", "relation": "head",
                "phone": f"138{n:08d}"}
        if care:
            head["care_tags"] = [{"tag": "elderly_alone", "since": "2024-01-01"}]
        return {"grid_id": grid_id, "residency": "registered", "residents": [head],
                "address": {"building": f"{n // 40 + 1}栋", "unit": f"{n % 4 + 1}单元", "room": f"{n % 40 + 101}"}}

    seed_district(s)
    out = {"g1": [register(s, household("g1", n, n % 5 == 0)) for n in range(households_per_grid)],
           "g3": [register(s, household("g3", 1000 + n, False)) for n in range(3)]}
    out["users"] = seed_demo_users(s.gateway_app, password=password, grid_ids=["g1", "g2", "g3"],
                                   community_ids=["c1", "c2"])
    for cid, name in (("c1", "幸福社区"), ("c2", "和平社区")):
        r = s.call("volunteers", "PUT", f"/communities/{cid}", json={"name": name})
        assert r.status_code == 200, r.text
    with s.gateway_app.app_context():
        mediator = User.objects(username="mediator").first()
    r = s.call("mediation", "PUT", f"/mediators/{mediator.pk}", json={"name": mediator.name, "community_ids": ["c1"]})
    assert r.status_code == 200, r.text
    out["mediator_id"] = str(mediator.pk)
    total = households_per_grid

    def settled():
        drills = s.call("drills", "GET", "/grids?community_id=c1").json()
        roster = {g["grid_id"]: g["households"] for g in drills} if isinstance(drills, list) else {}
        mediation = s.call("mediation", "GET", "/register/households", params={"grid_id": "g1", "limit": 100}).json()
        grids = s.call("volunteers", "GET", "/communities/c1/grids").json()
        return (roster.get("g1") == total and len(mediation) == total and len(grids) >= 2
                and cadences_kept())

    def cadences_kept():
        """The households worker's start-up work is done: its cadence table published and kept by volunteers."""
        if "volunteers" not in s.urls:
            return True
        with MongoClient(s.mongo_url) as client:
            return client[f"test_{s.run_id}_volunteers"]["care_cadences"].find_one() is not None

    s.wait_for(settled, timeout=120)
    return out
