"""docker-compose.yml and the image (deploy/Dockerfile, deploy/healthcheck.py), checked offline."""
import json
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .helpers import DEPLOY, REPO, health_port, service_names, service_settings

REQUIRED_VAR = re.compile(r"^\$\{(\w+):\?[^}]+\}$")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|_PASS$|TOKEN")
SERVICES = service_names()


def test_every_service_has_a_healthcheck(compose):
    for name, svc in compose["services"].items():
        test = (svc.get("healthcheck") or {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} needs a healthcheck"


def test_infrastructure_and_apps_are_present(compose, app_services):
    assert {"households", "volunteers", "drills", "mediation"} <= set(SERVICES)
    assert {"rabbitmq", "mongo", "prometheus", "grafana"} <= set(compose["services"])
    expected = {"gateway", "gateway-worker"} | {f"{name}-{part}" for name in SERVICES for part in ("api", "worker")}
    assert expected == set(app_services), "every service's API and worker, and the gateway and its worker, from the shared image"
    assert compose["services"]["rabbitmq"]["image"].startswith("rabbitmq:3.13-management")
    assert compose["services"]["mongo"]["image"] == "mongo:7"
    assert "mongosh" in compose["services"]["mongo"]["healthcheck"]["test"]


def test_depends_on_waits_for_healthy_services(compose, app_services):
    for name, svc in compose["services"].items():
        for dep, cond in (svc.get("depends_on") or {}).items():
            assert dep in compose["services"], f"{name} depends on unknown {dep}"
            assert cond == {"condition": "service_healthy"}, f"{name} -> {dep}"
    for name, svc in app_services.items():
        assert {"mongo", "rabbitmq"} <= set(svc["depends_on"]), name


def test_app_services_run_hardened_with_their_commands(app_services):
    for name, svc in app_services.items():
        assert svc["read_only"] is True and "/tmp" in svc["tmpfs"], name
        assert "no-new-privileges:true" in svc["security_opt"], name
        assert "user" not in svc, f"{name}: the image's non-root user must not be overridden"
        cmd = svc["command"]
        if cmd[0] == "gunicorn":
            assert f"0.0.0.0:{health_port(svc)}" in cmd, f"{name} binds the port its healthcheck probes"
        else:
            assert cmd[:2] == ["python", "-m"] and cmd[2].endswith(".worker"), name


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_api_and_worker(name, app_services):
    api, worker = app_services[f"{name}-api"], app_services[f"{name}-worker"]
    # The access log masks link tokens (shared.web.access_log), as in the image and the k8s manifests.
    assert api["command"] == ["gunicorn", "--bind", f"0.0.0.0:{health_port(api)}", "--workers", "1",
                              "--threads", "8", "--logger-class", "shared.web.access_log.RedactingLogger",
                              f"services.{name}.wsgi:app"]
    assert worker["command"] == ["python", "-m", f"services.{name}.worker"]
    assert worker["environment"]["METRICS_PORT"] == str(health_port(worker)), "the worker serves what is probed"
    for svc in (api, worker):
        assert {"mongo", "rabbitmq"} <= set(svc["depends_on"])
        missing = service_settings(name) - set(svc["environment"])
        assert not missing, f"{name}: pass {sorted(missing)} through (empty means the service's default)"


def test_app_ports_are_distinct(app_services):
    ports = [health_port(svc) for svc in app_services.values()]
    assert len(ports) == len(set(ports))


def test_secrets_come_from_the_environment_not_the_repo(compose, app_services):
    for name, svc in compose["services"].items():
        for key, value in (svc.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_VAR.match(str(value)), f"{name}.{key} must be ${{VAR:?...}}, not a literal"
    for name, svc in app_services.items():
        env = svc["environment"]
        url = re.match(r"amqp://.+:(\$\{[^}]+\})@rabbitmq:5672//$", env["AMQP_URL"])
        assert url and REQUIRED_VAR.match(url.group(1)), f"{name}: AMQP password must come from the environment"


MONGO_URL = re.compile(r"mongodb://(\w+):(\$\{[^}]+\})@mongo:27017/(\w+)$")


def _service_of(process: str) -> str:
    return "gateway" if process == "gateway" else process.rsplit("-", 1)[0]


def test_each_service_signs_in_to_mongodb_as_its_own_user(compose, app_services):
    """Issue 12 point 9: a service's user is its own, its password from the environment, its database its own."""
    mongo_env = compose["services"]["mongo"]["environment"]
    users = {}
    for name, svc in app_services.items():
        user, password, database = MONGO_URL.match(svc["environment"]["MONGO_URL"]).groups()
        service = _service_of(name)
        assert user == service and database == f"grid_{service}", f"{name} signs in as {user} to {database}"
        assert password == f"${{MONGO_{service.upper()}_PASSWORD:?set MONGO_{service.upper()}_PASSWORD}}", name
        assert mongo_env[f"MONGO_{service.upper()}_PASSWORD"] == password, "the init script makes the same user"
        users.setdefault(user, set()).add(service)
    assert all(len(owners) == 1 for owners in users.values()) and set(users) == {*SERVICES, "gateway"}
    assert REQUIRED_VAR.match(mongo_env["MONGO_INITDB_ROOT_PASSWORD"]), "MongoDB runs with authentication"
    assert not any("ROOT" in key for svc in app_services.values() for key in svc["environment"])
    (init,) = [v for v in compose["services"]["mongo"]["volumes"] if "/docker-entrypoint-initdb.d/" in v]
    assert (REPO / init.split(":")[0]).is_file() and init.endswith(":ro")


def _run_init_script(users: dict, env: dict) -> subprocess.CompletedProcess:
    """deploy/mongo/init-users.js under node, with a stand-in `db` holding `users` (database -> {name: spec})."""
    harness = """
const fs = require("fs"), vm = require("vm");
const [script, state] = [process.argv[1], JSON.parse(process.argv[2])];  // node -e: no script path in argv
const database = (name) => ({
  getUser: (user) => (state[name] || {})[user] || null,
  createUser: (spec) => { const {user, ...rest} = spec; (state[name] ||= {})[user] = {...rest, created: true}; },
  updateUser: (user, spec) => { state[name][user] = {...spec, updated: true}; },
});
try {
  vm.runInNewContext(fs.readFileSync(script, "utf8"), {db: {getSiblingDB: database}, process, print: () => {}});
} finally { console.log(JSON.stringify(state)); }
"""
    return subprocess.run(["node", "-e", harness, str(DEPLOY / "mongo" / "init-users.js"), json.dumps(users)],
                          capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin", **env})


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_mongo_init_script_makes_one_readwrite_user_per_database_and_can_run_again(compose):
    names = [*SERVICES, "gateway"]
    variables = {f"MONGO_{n.upper()}_PASSWORD" for n in names}
    assert variables <= set(compose["services"]["mongo"]["environment"]), "compose passes every password"
    env = {f"MONGO_{n.upper()}_PASSWORD": f"pw-{n}" for n in names}
    first = _run_init_script({}, env)
    assert first.returncode == 0, first.stderr
    made = json.loads(first.stdout)
    assert set(made) == {f"grid_{n}" for n in names}
    for n in names:
        assert made[f"grid_{n}"] == {n: {"pwd": f"pw-{n}", "roles": [{"role": "readWrite", "db": f"grid_{n}"}],
                                         "created": True}}
    again = _run_init_script(made, {**env, "MONGO_GATEWAY_PASSWORD": "rotated"})  # an existing volume
    assert again.returncode == 0, again.stderr
    updated = json.loads(again.stdout)["grid_gateway"]["gateway"]
    assert updated == {"pwd": "rotated", "roles": [{"role": "readWrite", "db": "grid_gateway"}], "updated": True}
    missing = _run_init_script({}, {k: v for k, v in env.items() if k != "MONGO_DRILLS_PASSWORD"})
    assert missing.returncode != 0 and "MONGO_DRILLS_PASSWORD is not set" in missing.stderr


def test_households_get_the_lookup_key_from_the_environment(app_services):
    """Issue 13: the look-up key is a required secret of the households processes, never a literal, nobody else's."""
    for name, svc in app_services.items():
        if _service_of(name) == "households":
            assert svc["environment"]["LOOKUP_HMAC_KEY"] == "${LOOKUP_HMAC_KEY:?set LOOKUP_HMAC_KEY}", name
        else:
            assert "LOOKUP_HMAC_KEY" not in svc["environment"], name


def test_env_example_lists_every_required_variable_without_values():
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = dict(line.split("=", 1) for line in (DEPLOY / "env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert required <= set(example)
    for key in required:
        assert SECRET_NAME.search(key) is None or example[key] == "", f"env.example must not hold {key}"
    # Every optional setting the compose file passes through is explained there (commented out or not).
    optional = set(re.findall(r"\$\{(\w+):-", text)) - {"RABBITMQ_USER"}
    documented = set(re.findall(r"^#? ?(\w+)=", (DEPLOY / "env.example").read_text(), re.M))
    assert optional <= documented, f"explain {sorted(optional - documented)} in deploy/env.example"


def test_gateway_reaches_services_on_their_ports(compose, app_services):
    gateway = compose["services"]["gateway"]
    env = gateway["environment"]
    for key, url in env.items():
        if key.endswith("_URL") and url.startswith("http://"):
            host, port = re.match(r"http://([\w-]+):(\d+)$", url).groups()
            assert host in app_services and health_port(app_services[host]) == int(port), key
    for name in SERVICES:
        assert env.get(f"{name.upper()}_URL", "").startswith(f"http://{name}-api:"), f"gateway needs {name.upper()}_URL"
        assert f"{name}-api" in gateway["depends_on"], f"the gateway waits for {name}-api"
    assert REQUIRED_VAR.match(env["GATEWAY_SECRET_KEY"])


def test_mounted_config_exists(compose):
    for name in ("prometheus", "grafana", "rabbitmq", "mongo"):
        for volume in compose["services"][name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
    assert "rabbitmq_prometheus" in (DEPLOY / "rabbitmq" / "enabled_plugins").read_text()


def test_dockerfile_is_slim_non_root_and_health_checked():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages and all(s == "python:3.11-slim" for s in stages)
    final = text.split("\nFROM ")[-1]
    assert "pip install ." in text and "COPY --from=build /opt/venv" in final
    assert not re.search(r"apt-get|build-essential|gcc", text), "no build tools in the image"
    user = re.findall(r"^USER (\S+)", final, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*healthcheck", final, re.M)
    assert "HOME=/tmp" in final and "XDG_RUNTIME_DIR=/tmp" in final, "writes go to the /tmp mount"
    ignore = [line for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
              if line and not line.startswith("#")]
    assert ignore[0] == "*" and "!deploy/healthcheck.py" in ignore, "the build context is an allow-list"


def test_image_gets_every_data_file_of_the_packages():
    """`pip install .` ships only declared data: templates, translations and static files need package-data."""
    if (REPO / "MANIFEST.in").exists():
        pytest.skip("MANIFEST.in decides")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())
    package_data = declared.get("tool", {}).get("setuptools", {}).get("package-data", {})
    missing = []
    for top in ("shared", "services", "gateway"):
        files = {f for f in (REPO / top).rglob("*") if f.is_file() and f.suffix not in (".py", ".pyc")
                 and "__pycache__" not in f.parts}
        covered = {f for pkg, patterns in package_data.items() for pattern in patterns
                   for f in (REPO / top if pkg in ("*", top) else REPO / pkg.replace(".", "/")).glob(pattern)}
        missing += sorted(str(f.relative_to(REPO)) for f in files - covered)
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing[:5]}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _check(url):
    return subprocess.run([sys.executable, str(DEPLOY / "healthcheck.py"), url],
                          capture_output=True, timeout=10).returncode


def test_healthcheck_script_exit_codes(http_server):
    assert _check(http_server + "/healthz") == 0
    assert _check(http_server + "/readyz") == 1
    assert _check("http://127.0.0.1:9/healthz") == 1  # nothing listens on the discard port
