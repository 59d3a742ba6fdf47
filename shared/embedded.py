"""`make run`: the whole product on one machine with nothing to install.

Starts a MongoDB-wire server (SecantusDB, in memory: each run starts from the demo district again),
each service's API and worker,
and the gateway on http://127.0.0.1:8000; the event bus is kombu's MongoDB transport on the same
server unless AMQP_URL names a RabbitMQ. Secrets are generated for this run only.
"""
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from shared import demo_data
from shared.db import ping, stand_in_url

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / ".run"
PY = sys.executable


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s")


def _wait_mongo(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ping(url):
        if time.monotonic() > deadline:
            raise SystemExit(f"the embedded database at {url} did not start (see .run/embedded.log)")
        time.sleep(0.2)


def _gunicorn(module: str, port: int, workers: int = 1) -> list[str]:
    return [PY, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "8",
            "--access-logfile", "-", module]


def _demo_accounts(env: dict) -> list[dict]:
    """The gateway's demo users, with one password for this run."""
    os.environ.update(env)
    from gateway.app import create_app  # noqa: PLC0415 (imported once the environment is set)
    from gateway.seed import seed_demo_users  # noqa: PLC0415

    password = secrets.token_urlsafe(9)
    return seed_demo_users(create_app(), password=password, grid_ids=[g[0] for g in demo_data.GRIDS],
                           community_ids=[c["id"] for c in demo_data.COMMUNITIES])


# name, API port, worker metrics port: every service runs its API and its worker.
SERVICES = [("households", 8001, 9101), ("volunteers", 8002, 9102), ("drills", 8003, 9103),
            ("mediation", 8004, 9104)]
GATEWAY = "http://127.0.0.1:8000"


def main() -> int:
    RUN.mkdir(exist_ok=True)
    mongo_port = int(os.environ.get("EMBEDDED_MONGO_PORT", "27117"))
    mongo_url = stand_in_url("127.0.0.1", mongo_port)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MONGO_URL": mongo_url,
           "AMQP_URL": os.environ.get("AMQP_URL", stand_in_url("127.0.0.1", mongo_port, "grid_bus")),
           "SERVICE_SECRET": os.environ.get("SERVICE_SECRET", secrets.token_urlsafe(32)),
           "GATEWAY_SECRET_KEY": os.environ.get("GATEWAY_SECRET_KEY", secrets.token_urlsafe(32)),
           "PUBLIC_BASE_URL": GATEWAY, "RETRY_DELAYS_MS": "200,1000,5000",
           **{f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port, _ in SERVICES}}
    log = open(RUN / "embedded.log", "ab")
    procs = [subprocess.Popen([str(Path(PY).with_name("secantusd-py")), "--host", "127.0.0.1", "--port",
                               str(mongo_port), "--storage-path", ":memory:"], stdout=log, stderr=log)]
    _wait_mongo(mongo_url)
    for name, port, metrics_port in SERVICES:
        procs.append(subprocess.Popen(_gunicorn(f"services.{name}.wsgi:app", port), env=env, stdout=log, stderr=log))
        procs.append(subprocess.Popen([PY, "-m", f"services.{name}.worker"],
                                      env={**env, "METRICS_PORT": str(metrics_port)}, stdout=log, stderr=log))
    procs.append(subprocess.Popen(_gunicorn("gateway.wsgi:app", 8000), env=env, stdout=log, stderr=log))
    try:
        for name, port, metrics_port in SERVICES:  # a worker answers once its queues are declared
            _wait_http(f"http://127.0.0.1:{port}/healthz")
            _wait_http(f"http://127.0.0.1:{metrics_port}/healthz")
        added = demo_data.seed(households_url="http://127.0.0.1:8001", secret=env["SERVICE_SECRET"])
        print(f"demo district: {added} households added" if added else "demo district already loaded")
        accounts = _demo_accounts(env)
        _wait_http(f"{GATEWAY}/healthz")
        print(f"\n网格化治理 is running at {GATEWAY}  (logs: .run/embedded.log; Ctrl+C stops)")
        for account in accounts:
            print(f"  {account['role']:<16} {account['username']:<12} password: {account['password']}")
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
