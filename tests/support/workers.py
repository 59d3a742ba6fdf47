"""Services' workers as separate processes (each service connects mongoengine's default alias to its own
database, so two services never share a process), wired to a test run's databases, exchange and queues."""
import importlib
import os
import subprocess
import sys
import time

import requests

from shared.config import TestConfig
from shared.messaging.consumer import EventConsumer

SERVICES = ("households", "volunteers", "drills", "mediation")


def run_config(service: str, *, mongo_url: str, run_id: str, amqp_url: str) -> TestConfig:
    """The test config of `service` for a run (with the service's own settings added)."""
    config = TestConfig(service, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url)
    config.PUBLIC_BASE_URL = "https://grid.example.cn"
    return config


def declare_queues(config, service: str) -> list[str]:
    """Declare every queue `service` consumes (before anything is published, so nothing is unroutable)."""
    worker = importlib.import_module(f"services.{service}.worker")
    parts = worker.bootstrap(config)
    consumer = EventConsumer(url=config.AMQP_URL, exchange=config.EVENT_EXCHANGE, service=service,
                             handlers=parts["handlers"], retry_delays_ms=config.RETRY_DELAYS_MS,
                             queue_prefix=config.QUEUE_PREFIX, queue_expires_ms=config.QUEUE_EXPIRES_MS)
    consumer.declare()
    return [sub.queue_name for sub in consumer.table]


def start_worker(config, service: str, *, metrics_port: int, log_path: str, extra_env: dict | None = None,
                 outbox_poll_s: float = 0.05):
    """`python -m services.<service>.worker` for this run; its /metrics on `metrics_port`."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MONGO_URL": config.MONGO_URL,
           f"{service.upper()}_MONGO_DB": config.MONGO_DB, "AMQP_URL": config.AMQP_URL,
           "EVENT_EXCHANGE": config.EVENT_EXCHANGE,
           "QUEUE_PREFIX": config.QUEUE_PREFIX, "QUEUE_EXPIRES_MS": str(config.QUEUE_EXPIRES_MS),
           "OUTBOX_POLL_S": str(outbox_poll_s), "RETRY_DELAYS_MS": ",".join(map(str, config.RETRY_DELAYS_MS)),
           "METRICS_PORT": str(metrics_port), "PUBLIC_BASE_URL": "https://grid.example.cn", **(extra_env or {})}
    log = open(log_path, "ab")
    proc = subprocess.Popen([sys.executable, "-m", f"services.{service}.worker"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    proc.log = log
    return proc


def stop_workers(procs) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        proc.log.close()


def metric_samples(port: int, name: str) -> list[tuple[str, float]]:
    """A metric's samples on a worker's /metrics as (label text, value); none if unreachable."""
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.RequestException:
        return []
    samples = []
    for line in text.splitlines():
        if line.startswith(name + "{"):
            head, _, value = line.rpartition(" ")
            samples.append((head, float(value)))
    return samples


def labelled(samples, **labels) -> float:
    """The sum of the samples whose labels include `labels`."""
    return sum(value for head, value in samples if all(f'{k}="{v}"' in head for k, v in labels.items()))


def metric_total(port: int, name: str, **labels) -> float:
    """The sum of a metric's samples on a worker's /metrics whose labels include `labels` (0 if unreachable)."""
    return labelled(metric_samples(port, name), **labels)


def wait_http(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(f"worker on port {port} did not answer")


def start_gateway_worker(stack, *, metrics_port: int, extra_env: dict | None = None):
    """`python -m gateway.worker` for a full stack's run (tests.support.stack.full_stack): its gateway database,
    exchange and services, signing with this process's identity key; /metrics on `metrics_port`, refreshed on every
    scrape. Stop it with stop_workers."""
    from tests.support.stack import _broker_url

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MONGO_URL": stack.mongo_url,
           "GATEWAY_MONGO_DB": f"test_{stack.run_id}_gateway", "AMQP_URL": _broker_url(stack.mongo_url, stack.run_id),
           "EVENT_EXCHANGE": f"test.{stack.run_id}.events", "QUEUE_PREFIX": f"test.{stack.run_id}.",
           "QUEUE_EXPIRES_MS": "600000", "OUTBOX_POLL_S": "0.05", "METRICS_PORT": str(metrics_port),
           "METRICS_REFRESH_S": "0", "GATEWAY_SECRET_KEY": "test-gateway-worker",
           "IDENTITY_PRIVATE_KEY": os.environ["IDENTITY_PRIVATE_KEY"],
           **{f"{name.upper()}_URL": url for name, url in stack.urls.items()}, **(extra_env or {})}
    log = open(os.path.join(stack.log_dir, "gateway-worker.log"), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "gateway.worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log
    return proc
