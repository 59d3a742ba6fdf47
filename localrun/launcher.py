"""`make run`: the whole product on one machine with nothing to install.

Starts a MongoDB-wire server (SecantusDB) with its data in `.run/db/`, each service's API and worker, and
the gateway on http://127.0.0.1:8000; the event bus is kombu's MongoDB transport on the same server
(database `grid_bus`) unless AMQP_URL names a RabbitMQ. Data, secrets (`.run/secrets.json`) and the log
(`.run/embedded.log`) are kept across runs; `make clean` starts over. The demo district and accounts are
loaded only into an empty store, so passwords are printed at the first start only.

Ctrl+C (SIGINT to the whole process group), SIGTERM or SIGHUP stops every process within 10 s, exit 0.
Every step runs as a child process: this launcher holds no database client and no thread, so a signal
always reaches it and nothing is left to finalise. (It used to build the gateway in-process to seed
accounts; at exit a rate-limit storage's __del__ opened a MongoClient whose monitor thread never started,
and the launcher hung in a futex with its children gone.)

    python -m localrun                          run (what `make run` does)
    python -m localrun reset-password USERNAME  a new one-time password, while `make run` runs

GRID_RUN_DIR moves `.run/`; EMBEDDED_GATEWAY_PORT, EMBEDDED_METRICS_PORT and EMBEDDED_MONGO_PORT move the
ports (the four services take the gateway's port + 1..4, their workers the metrics port + 0..3, the gateway's worker
(the monthly reports) + 4).
"""
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from localrun import demo_data
from shared.db import ping, stand_in_url
from shared.identity import generate_key_pair

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SERVICES = ("households", "volunteers", "drills", "mediation")
RESET_HINT = "python -m localrun reset-password USERNAME"


def _token() -> str:
    return secrets.token_urlsafe(32)


def _identity_keys() -> dict[str, str]:
    private, public = generate_key_pair()
    return {"IDENTITY_PRIVATE_KEY": private, "IDENTITY_PUBLIC_KEY": public}


# The secrets `make run` generates at its first start into .run/secrets.json (0600) and reuses afterwards, so
# sessions, signed identities and keyed look-ups stay valid across restarts now that the data persists.
# Entry name -> generator; a generator returns the variable's value, or {variable: value} for a secret in parts
# (a key pair). A variable already set in the environment wins. Add a secret by adding a line here.
SECRETS: dict[str, Callable[[], str | dict[str, str]]] = {
    "IDENTITY_KEYS": _identity_keys,  # the gateway signs each call's identity; services check the public half
    "GATEWAY_SECRET_KEY": _token,     # the gateway's sessions and CSRF tokens
    "LOOKUP_HMAC_KEY": _token,        # households: keyed hashes that find a household by ID number or phone
}
# Variables only the gateway process receives.
GATEWAY_ONLY = ("IDENTITY_PRIVATE_KEY", "GATEWAY_SECRET_KEY")


@dataclass(frozen=True)
class Ports:
    gateway: int = 8000
    metrics: int = 9101
    mongo: int = 27117

    @classmethod
    def from_env(cls) -> "Ports":
        """The ports from EMBEDDED_*_PORT, else 8000–8004, 9101–9105 and 27117."""
        return cls(**{name: int(os.environ.get(f"EMBEDDED_{name.upper()}_PORT") or default)
                      for name, default in (("gateway", 8000), ("metrics", 9101), ("mongo", 27117))})

    def api(self, service: str) -> int:
        return self.gateway + 1 + SERVICES.index(service)

    def worker(self, service: str) -> int:
        return self.metrics + SERVICES.index(service)

    @property
    def gateway_worker(self) -> int:
        """The gateway worker's (the monthly reports'): the port after the services' workers."""
        return self.metrics + len(SERVICES)

    def all(self) -> list[int]:
        return [self.gateway, self.mongo, self.gateway_worker,
                *(p for s in SERVICES for p in (self.api(s), self.worker(s)))]


def run_dir() -> Path:
    """Where `make run` keeps its data, secrets and log: GRID_RUN_DIR, else .run/ in the checkout."""
    return Path(os.environ.get("GRID_RUN_DIR") or ROOT / ".run").resolve()


def private_dir(path: Path) -> Path:
    """`path`, created if missing, readable by its owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def load_secrets(path: Path) -> dict[str, str]:
    """The variables of every SECRETS entry: stored ones reused, missing ones generated and stored (0600)."""
    stored = json.loads(path.read_text()) if path.exists() else {}
    missing = {name: make() for name, make in SECRETS.items() if name not in stored}
    if missing:
        _write_private(path, json.dumps({**stored, **missing}, indent=1))
    path.chmod(0o600)
    values = {}
    for name in SECRETS:
        value = {**stored, **missing}[name]
        values.update(value if isinstance(value, dict) else {name: value})
    return values


def child_environment(*, ports: Ports, run: Path, gateway: bool) -> dict[str, str]:
    """The environment of a process `make run` starts; secrets of GATEWAY_ONLY only when `gateway`."""
    generated = load_secrets(run / "secrets.json")
    env = {**generated, **os.environ}
    if not gateway:
        env = {k: v for k, v in env.items() if k not in GATEWAY_ONLY}
    return {**env, "PYTHONUNBUFFERED": "1", "MONGO_URL": stand_in_url("127.0.0.1", ports.mongo),
            "AMQP_URL": os.environ.get("AMQP_URL") or stand_in_url("127.0.0.1", ports.mongo, "grid_bus"),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports.gateway}", "RETRY_DELAYS_MS": "200,1000,5000",
            "GATEWAY_READY_FILE": str(run / "ready"),
            **{f"{s.upper()}_URL": f"http://127.0.0.1:{ports.api(s)}" for s in SERVICES}}


def _gunicorn(module: str, port: int, workers: int = 1) -> list[str]:
    return [PY, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "8",
            "--graceful-timeout", "2", "--no-control-socket",
            "--access-logfile", "-", "--logger-class", "shared.web.access_log.RedactingLogger", module]


class Stop(BaseException):
    """A stop signal arrived (BaseException: no library's `except Exception` swallows it)."""


def _stop_on_signal(signum, _frame):
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # one stop: later signals wait for it
        signal.signal(sig, signal.SIG_IGN)
    raise Stop(signum)


_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_launcher() -> None:
    """In the child: SIGTERM when the launcher dies, even by kill -9 (Linux PR_SET_PDEATHSIG)."""
    _libc.prctl(1, signal.SIGTERM)


class Children:
    """The processes `make run` started, and how they stop."""

    def __init__(self, log, log_path: Path):
        self.log, self.log_path = log, log_path
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.database: subprocess.Popen | None = None

    def start(self, name: str, argv: list[str], *, env=None, stdout=None, own_group: bool = False):
        proc = subprocess.Popen(argv, env=env, stdout=stdout or self.log, stderr=self.log,
                                preexec_fn=_die_with_launcher, start_new_session=own_group)
        self.procs.append((name, proc))
        return proc

    def check(self) -> None:
        """Stop the run if a long-lived process ended by itself."""
        for name, proc in self.procs:
            if proc.poll() is not None and not name.startswith("step:"):
                raise SystemExit(f"{name} ended (status {proc.returncode}); see {self.log_path}")

    def stop(self, *, database_after: float = 4.5, deadline: float = 8.0) -> str:
        """SIGTERM everything; the database once the rest has ended (workers hand unfinished messages back to it)
        or after `database_after` seconds, as it takes seconds itself; SIGKILL what runs at `deadline`."""
        started = time.monotonic()
        others = [(n, p) for n, p in self.procs if p is not self.database]
        for _, proc in others:
            _signal(proc, signal.SIGTERM)
        _wait_all(others, until=started + database_after)
        others_s = time.monotonic() - started
        if self.database:
            _signal(self.database, signal.SIGTERM)
            others.append(("database", self.database))
        _wait_all(others, until=started + deadline)
        killed = [name for name, proc in others if proc.poll() is None]
        for _, proc in others:
            _signal(proc, signal.SIGKILL)
            proc.wait()
        return (f"services and workers {others_s:.1f}s, all {time.monotonic() - started:.1f}s"
                + (f"; killed at {deadline:.1f}s: {', '.join(killed)}" if killed else ""))


def _signal(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)


def _wait_all(procs: list[tuple[str, subprocess.Popen]], *, until: float) -> None:
    while any(proc.poll() is None for _, proc in procs) and time.monotonic() < until:
        time.sleep(0.05)


def _wait_until(children: Children, what: str, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        children.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} was not ready within {timeout:.0f}s; see {children.log_path}")
        time.sleep(0.2)


def _answers_200(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _step(children: Children, name: str, argv: list[str], env: dict, timeout: float) -> str:
    """Run one step (a child like the others, so a stop ends it too); its standard output."""
    proc = children.start(f"step:{name}", argv, env=env, stdout=subprocess.PIPE)
    _wait_until(children, name, lambda: proc.poll() is not None, timeout)
    out = proc.stdout.read().decode()
    if proc.returncode:
        raise SystemExit(f"{name} failed (status {proc.returncode}); see {children.log_path}")
    return out


def _demo_scope() -> list[str]:
    """The demo district's grids, communities and street, as `gateway.accounts_cli demo` takes them."""
    return ["--grids", ",".join(grid[0] for grid in demo_data.GRIDS),
            "--communities", ",".join(community["id"] for community in demo_data.COMMUNITIES),
            "--streets", demo_data.STREET["id"]]


def serve(*, ports: Ports, run: Path) -> int:
    """Start everything, load the demo data into an empty store, wait for a stop signal, stop everything."""
    taken = [p for p in ports.all() if _port_taken(p)]
    if taken:
        print(f"ports {taken} are in use: is another `make run` going? (EMBEDDED_*_PORT move them)", file=sys.stderr)
        return 1
    service_env = child_environment(ports=ports, run=run, gateway=False)
    gateway_env = child_environment(ports=ports, run=run, gateway=True)
    ready_file = run / "ready"
    ready_file.unlink(missing_ok=True)
    log_fd = os.open(run / "embedded.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(run / "embedded.log", 0o600)
    children = Children(os.fdopen(log_fd, "ab"), run / "embedded.log")
    started = time.monotonic()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    try:
        # Its own process group: Ctrl+C reaches everything else at once, the database only after them.
        children.database = children.start("database", [str(Path(PY).with_name("secantusd-py")), "--host",
                                                        "127.0.0.1", "--port", str(ports.mongo),
                                                        "--storage-path", str(private_dir(run / "db"))],
                                           own_group=True)
        _wait_until(children, "the database", lambda: ping(service_env["MONGO_URL"]), 60)
        for s in SERVICES:
            children.start(f"{s} API", _gunicorn(f"services.{s}.wsgi:app", ports.api(s)), env=service_env)
            children.start(f"{s} worker", [PY, "-m", f"services.{s}.worker"],
                           env={**service_env, "METRICS_PORT": str(ports.worker(s))})
        children.start("gateway", _gunicorn("gateway.wsgi:app", ports.gateway), env=gateway_env)
        children.start("gateway worker", [PY, "-m", "gateway.worker"],
                       env={**gateway_env, "METRICS_PORT": str(ports.gateway_worker)})
        for s in SERVICES:  # a worker is ready once its queues are declared and it reaches database and bus
            for url in (f"http://127.0.0.1:{ports.api(s)}/readyz", f"http://127.0.0.1:{ports.worker(s)}/readyz"):
                _wait_until(children, url, lambda url=url: _answers_200(url), 120)
        gateway_worker = f"http://127.0.0.1:{ports.gateway_worker}/readyz"
        _wait_until(children, gateway_worker, lambda: _answers_200(gateway_worker), 120)
        seeded = run / "seeded"  # written once the demo district is complete: a stop half-way resumes next time
        if seeded.exists():
            print("demo district: already loaded")
        else:
            print(_step(children, "demo district", [PY, "-m", "localrun.demo_data", "--resume"], gateway_env,
                        900).strip())
            _write_private(seeded, "demo district loaded\n")
        accounts = json.loads(_step(children, "demo accounts", [PY, "-m", "gateway.accounts_cli", "demo",
                                                                *_demo_scope()], gateway_env, 120))
        _write_private(ready_file, "ready\n")
        gateway = f"http://127.0.0.1:{ports.gateway}"
        _wait_until(children, "the gateway", lambda: _answers_200(f"{gateway}/readyz"), 60)
        print(f"\n网格化治理 is running at {gateway}  (ready in {time.monotonic() - started:.1f}s; data and log in "
              f"{run}; Ctrl+C stops; `make clean` starts over)")
        for account in accounts:
            print(f"  {account['role']:<16} {account['username']:<14} one-time password: {account['password']}")
        if accounts:
            print("  Each password must be changed at first sign-in. It is shown only now; forgot one?")
        else:
            print("  Accounts as at the first start (passwords were shown then). Forgot one?")
        print(f"  {RESET_HINT}", flush=True)
        while True:
            children.check()
            time.sleep(0.5)
    except Stop:
        print("\nstopping…", flush=True)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        ready_file.unlink(missing_ok=True)
        stopping = time.monotonic()
        timings = children.stop()
        print(f"stopped in {time.monotonic() - stopping:.1f}s ({timings})", flush=True)
        children.log.close()


def reset_password(*, username: str, ports: Ports, run: Path) -> int:
    """A new one-time password for `username`, in the store of the running `make run`."""
    env = child_environment(ports=ports, run=run, gateway=True)
    if not ping(env["MONGO_URL"]):
        print(f"start `make run` first (no database answers on port {ports.mongo})", file=sys.stderr)
        return 1
    return subprocess.call([PY, "-m", "gateway.accounts_cli", "reset", username], env=env)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ports, run = Ports.from_env(), private_dir(run_dir())
    if argv[:1] == ["reset-password"] and len(argv) == 2:
        return reset_password(username=argv[1], ports=ports, run=run)
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    return serve(ports=ports, run=run)


if __name__ == "__main__":
    sys.exit(main())
