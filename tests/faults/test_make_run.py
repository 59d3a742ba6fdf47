"""`make run` as a user drives it: data kept across Ctrl+C, seeding once, ready means ready, every process stopped.

Each test runs the real `make run` in its own process group, with its state folder in a temporary directory
(GRID_RUN_DIR) and free ports (EMBEDDED_*_PORT), so a developer's own `make run` is never touched.
MAKE_RUN_STOP_CYCLES (default 5) sets how many Ctrl+C restarts the stop test does.
"""
import json
import os
import random
import signal
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from localrun.demo_data import demo_household
from shared.identity import IdentityAuth, Principal

pytestmark = pytest.mark.fault

ROOT = Path(__file__).resolve().parents[2]
STOP_BUDGET_S = 10
FIRST_START_S = 900  # seeds 1,480 households through the API: minutes on a loaded two-core machine
LATER_START_S = 300


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _free_block(size: int) -> int:
    """The first of `size` consecutive free ports, below Linux's ephemeral range (32768+), where an outgoing
    connection elsewhere on the machine could take one between two starts."""
    rnd = random.Random()
    for _ in range(200):
        first = rnd.randrange(20000, 32000 - size)
        socks = []
        try:
            for port in range(first, first + size):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("0.0.0.0", port))
            return first
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no free port block")


def _process_tree(root: int) -> set[int]:
    """`root` and all its descendants now (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class MakeRun:
    """One `make run` in its own process group, its output collected with the time each line came."""

    def __init__(self, env: dict, ports: list[int]):
        self.env, self.ports, self.lines = env, ports, []
        self.started = time.monotonic()
        # -o: never rebuild the shared virtualenv from inside a test, even if pyproject.toml is newer.
        self.proc = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "run"], cwd=ROOT,
                                     env=env, start_new_session=True, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def line_time(self, text: str) -> float | None:
        return next((at for at, line in self.lines if text in line), None)

    def wait_ready(self, timeout: float) -> float:
        """Seconds until the launcher printed its accounts (its last line when ready)."""
        deadline = time.monotonic() + timeout
        while self.line_time("reset-password") is None:
            assert self.proc.poll() is None, f"make run ended early ({self.proc.returncode}):\n{self.output}"
            assert time.monotonic() < deadline, f"make run not ready within {timeout}s:\n{self.output}"
            time.sleep(0.2)
        return self.line_time("reset-password") - self.started

    def stop(self, sig=signal.SIGINT, *, group: bool = True) -> float:
        """Send `sig` as a terminal's Ctrl+C does (the group) or to make alone; seconds until all is gone."""
        tree = _process_tree(self.proc.pid)
        assert len(tree) >= 11, f"expected make, the launcher and its processes; got {tree}"
        sent = time.monotonic()
        (os.killpg if group else os.kill)(self.proc.pid, sig)
        deadline = sent + STOP_BUDGET_S + 20  # wait past the budget, to report how long it really took
        while time.monotonic() < deadline:
            if self.proc.poll() is not None and not any(map(_alive, tree)) \
                    and not any(map(_listening, self.ports)):
                break
            time.sleep(0.05)
        took = time.monotonic() - sent
        left = sorted(pid for pid in tree if _alive(pid))
        for pid in left:  # leave the machine clean even when the assertion below fails
            os.kill(pid, signal.SIGKILL)
        assert not left, f"still running {took:.1f}s after {sig!r}: {left}\n{self.output}"
        assert not [p for p in self.ports if _listening(p)], f"ports still listening:\n{self.output}"
        assert took < STOP_BUDGET_S, f"stopping took {took:.1f}s:\n{self.output}"
        # The launcher's own clean path (its exit 0; make itself re-raises the signal it got).
        assert "stopping…" in self.output and "stopped in" in self.output, self.output
        return took


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    gateway, metrics, mongo = _free_block(5), _free_block(5), _free_block(1)
    run = tmp_path_factory.mktemp("make-run") / "state"
    env = {**os.environ, "GRID_RUN_DIR": str(run), "EMBEDDED_GATEWAY_PORT": str(gateway),
           "EMBEDDED_METRICS_PORT": str(metrics), "EMBEDDED_MONGO_PORT": str(mongo)}
    for name in ("AMQP_URL", "MONGO_URL", "IDENTITY_PRIVATE_KEY", "IDENTITY_PUBLIC_KEY", "GATEWAY_SECRET_KEY",
                 "LOOKUP_HMAC_KEY"):
        env.pop(name, None)  # the test session's own settings are not make run's
    ports = [*range(gateway, gateway + 5), *range(metrics, metrics + 5), mongo]  # metrics + 4: the gateway worker
    return {"env": env, "run": run, "ports": ports, "gateway": f"http://127.0.0.1:{gateway}",
            "households": f"http://127.0.0.1:{gateway + 1}"}


def _as_admin(embedded) -> requests.Session:
    keys = json.loads((embedded["run"] / "secrets.json").read_text())["IDENTITY_KEYS"]
    http = requests.Session()
    http.auth = IdentityAuth(Principal(user_id="test-admin", role="admin", name="测试"),
                             key=keys["IDENTITY_PRIVATE_KEY"], audience="households")
    return http


def _watch_readiness(url: str, seen: list, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            response = requests.get(url, timeout=2)
            seen.append((time.monotonic(), response.status_code, response.json().get("checks")))
        except (requests.RequestException, ValueError):
            pass
        stop.wait(0.2)


def test_data_and_accounts_survive_ctrl_c_and_the_demo_is_seeded_once(embedded, capsys):
    seen, watching = [], threading.Event()
    threading.Thread(target=_watch_readiness, args=(f"{embedded['gateway']}/readyz", seen, watching),
                     daemon=True).start()
    first = MakeRun(embedded["env"], embedded["ports"])
    try:
        first_start = first.wait_ready(FIRST_START_S)
    finally:
        watching.set()
    out = first.output
    assert "demo district: 1480 households added" in out
    assert out.count("one-time password:") == 11 and "reset-password USERNAME" in out
    # Ready means ready: while the district was being loaded the gateway answered, but not "ready".
    seeded_at = first.line_time("demo district:")
    assert any(code == 503 and checks.get("startup") is False for _, code, checks in seen), seen[:5]
    assert all(at > seeded_at for at, code, _ in seen if code == 200)
    assert requests.get(f"{embedded['gateway']}/readyz", timeout=5).status_code == 200
    # Secrets and log are the owner's only.
    run = embedded["run"]
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert stat.S_IMODE((run / "secrets.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((run / "embedded.log").stat().st_mode) == 0o600
    secrets_before = (run / "secrets.json").read_text()

    # The user: a new grid XF-09 and a household in it, then Ctrl+C.
    http = _as_admin(embedded)
    http.post(f"{embedded['households']}/grids", json={"id": "XF-09", "name": "幸福九网格", "community_id": "XF"},
              timeout=10).raise_for_status()
    created = http.post(f"{embedded['households']}/households", json=demo_household("XF-09", 0), timeout=10)
    assert created.status_code == 201, created.text
    household_id = created.json()["id"]
    first_stop = first.stop()
    assert first.proc.returncode == -signal.SIGINT  # make re-raises the Ctrl+C it got, after the launcher ended

    again = MakeRun(embedded["env"], embedded["ports"])
    second_start = again.wait_ready(LATER_START_S)
    out = again.output
    assert "demo district: already loaded" in out and "households added" not in out
    assert "one-time password:" not in out and "Accounts as at the first start" in out
    assert (run / "secrets.json").read_text() == secrets_before
    kept = _as_admin(embedded).get(f"{embedded['households']}/households/{household_id}", timeout=10)
    assert kept.status_code == 200 and kept.json()["grid_id"] == "XF-09"
    # A forgotten password: a new one-time one, from the running store.
    reset = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "localrun", "reset-password", "admin"],
                           cwd=ROOT, env=embedded["env"], capture_output=True, text=True, timeout=120)
    assert reset.returncode == 0 and "new one-time password for admin:" in reset.stdout, reset.stderr
    second_stop = again.stop()
    with capsys.disabled():
        print(f"\nmake run: first start {first_start:.1f}s (seeding), stop {first_stop:.1f}s; "
              f"second start {second_start:.1f}s, stop {second_stop:.1f}s")


def test_every_stop_ends_every_process_within_ten_seconds(embedded, capsys):
    cycles = int(os.environ.get("MAKE_RUN_STOP_CYCLES", "5"))
    starts, stops = [], []
    for _ in range(cycles):  # Ctrl+C in a terminal: SIGINT to the whole foreground process group
        run = MakeRun(embedded["env"], embedded["ports"])
        starts.append(run.wait_ready(FIRST_START_S))
        stops.append(run.stop(signal.SIGINT))
        assert run.proc.returncode == -signal.SIGINT
    # A service manager or `kill`: SIGTERM to make alone reaches the launcher through make.
    run = MakeRun(embedded["env"], embedded["ports"])
    starts.append(run.wait_ready(FIRST_START_S))
    stops.append(run.stop(signal.SIGTERM, group=False))
    with capsys.disabled():
        print(f"\nmake run: starts {', '.join(f'{s:.1f}' for s in starts)}s; "
              f"stops {', '.join(f'{s:.1f}' for s in stops)}s")
