"""A MongoDB for the tests, by one rule (see docs/architecture.md, "Tests and their database").

1. MONGO_URL is set: use that server.
2. A Docker engine answers: start mongo:7 and remove it afterwards.
3. Otherwise: start SecantusDB (a MongoDB-wire server from PyPI) as a separate process on a free port.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from shared.db import ping, stand_in_url

# Dropping a test's database after it: the stand-in serves one request at a time and takes seconds to drop a
# database an import filled, longer than the services' own socket timeout (MONGO_TIMEOUT_S, 10 s in tests).
DROP_TIMEOUT_MS = 120_000


def drop_database(url: str, name: str) -> None:
    """Drop database `name` on the server at `url`, waiting as long as a slow drop takes."""
    from pymongo import MongoClient

    with MongoClient(url, socketTimeoutMS=DROP_TIMEOUT_MS, serverSelectionTimeoutMS=10_000) as client:
        client.drop_database(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not ping(url):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no MongoDB answered at {url} within {timeout}s")
        time.sleep(0.2)


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def secantus(port: int | None = None, storage: str | None = None):
    """A SecantusDB server process; yields (url, process)."""
    port = port or free_port()
    folder = storage or tempfile.mkdtemp(prefix="secantus-")
    exe = Path(sys.executable).with_name("secantusd-py")
    log = open(Path(folder).parent / f"secantus-{port}.log", "ab")
    proc = subprocess.Popen([str(exe), "--host", "127.0.0.1", "--port", str(port), "--storage-path", folder],
                            stdout=log, stderr=subprocess.STDOUT)
    url = stand_in_url("127.0.0.1", port)
    try:
        wait_for(url)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if storage is None:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def mongo_server():
    """Yield (url, which) for the session's MongoDB, following the rule above."""
    if os.environ.get("MONGO_URL"):
        yield os.environ["MONGO_URL"], "MONGO_URL"
        return
    if _docker_answers():
        import docker  # only needed where an engine runs

        client = docker.from_env()
        port = free_port()
        container = client.containers.run("mongo:7", detach=True, ports={"27017/tcp": port}, remove=True)
        try:
            url = f"mongodb://127.0.0.1:{port}"
            wait_for(url, 60)
            yield url, "mongo:7 (docker)"
        finally:
            container.stop()
        return
    with secantus() as (url, _):
        yield url, "SecantusDB"
