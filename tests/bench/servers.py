"""Servers a benchmark runs against: the database, gunicorn-served apps, and wrk as the load."""
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@contextmanager
def database():
    """MONGO_URL if given (a real MongoDB), else a SecantusDB process; yields (url, label)."""
    from tests.support.mongo import secantus

    if os.environ.get("MONGO_URL"):
        yield os.environ["MONGO_URL"], "MongoDB at MONGO_URL"
        return
    with secantus() as (url, _):
        yield url, "SecantusDB 0.7.0b3 (MongoDB wire stand-in)"


@contextmanager
def gunicorn(app: str, port: int, env: dict, workers: int = 1, threads: int = 8):
    """Serve `app` with gunicorn as in production and wait until it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--log-level", "warning", app],
        env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{app} did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(30)   # gunicorn's graceful timeout
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def wrk(url: str, *, connections: int, seconds: int = 8, headers: dict | None = None) -> dict:
    """Load `url` with wrk (one thread per connection up to 2) and return rps and latency percentiles."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: `apt-get install -y wrk` (make bench does this)")
    cmd = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
           "-s", str(HERE / "wrk_report.lua"), "--timeout", "10s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine() -> str:
    cpus = os.cpu_count()
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 "unknown CPU")
    return f"{cpus} cores, {model}, Python {sys.version.split()[0]}"
