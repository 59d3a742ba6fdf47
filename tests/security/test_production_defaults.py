"""Issue 12 point 12: the shipped configurations are the safe ones.

Reads docker-compose.yml and deploy/k8s, builds the gateway from exactly the settings they give it, and
checks what a browser would be told: session, form and language cookies `Secure`, HSTS sent, and the
access log masking link tokens.
"""
import re
from pathlib import Path

import mongoengine
import pytest
import yaml

from gateway.app import create_app
from gateway.config import TestConfig
from gateway.db import ALIAS
from gateway.seed import seed_demo_users
from tests.support.stack import sign_in

ROOT = Path(__file__).resolve().parents[2]
YEAR_AT_LEAST = 180 * 24 * 3600
PASSWORD = "demo-pass-1"


def _default(value) -> str:
    """`${NAME:-default}` as compose reads it with NAME unset."""
    m = re.fullmatch(r"\$\{\w+:-([^}]*)\}", str(value))
    return m[1] if m else str(value)


def compose_gateway() -> dict:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return doc["services"]["gateway"]


def k8s_docs(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((ROOT / "deploy/k8s/base" / name).read_text()) if d]


def k8s_gateway_env() -> dict:
    deployment = next(d for d in k8s_docs("gateway.yaml") if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    maps = {ref["configMapRef"]["name"] for ref in container.get("envFrom", []) if "configMapRef" in ref}
    env = {}
    for doc in k8s_docs("config.yaml"):
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] in maps:
            env.update(doc["data"])
    env.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return env


SHIPPED = {
    "docker-compose.yml": lambda: {k: _default(v) for k, v in compose_gateway()["environment"].items()},
    "deploy/k8s": k8s_gateway_env,
}


@pytest.mark.parametrize("where", sorted(SHIPPED))
def test_shipped_gateway_sets_secure_cookies_and_hsts(where, monkeypatch, mongo_url, run_id):
    env = SHIPPED[where]()
    assert env.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes", "on"), where
    assert int(env.get("HSTS_SECONDS", "0")) >= YEAR_AT_LEAST, where
    for name in ("SESSION_COOKIE_SECURE", "HSTS_SECONDS"):
        monkeypatch.setenv(name, env[name])
    app = create_app(TestConfig(mongo_url=mongo_url, run_id=f"{run_id}{where[:3]}"))
    seed_demo_users(app, password=PASSWORD, users=[{"username": "operator", "name": "运维", "role": "operator"}])
    client = app.test_client()
    page = client.get("/login")  # plain HTTP inside the cluster: the settings, not the scheme, decide
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert all("Secure" in c for c in page.headers.getlist("Set-Cookie")) and page.headers.getlist("Set-Cookie")
    signed = sign_in(client, "operator", PASSWORD)
    assert signed.status_code == 303
    session_cookie = [c for c in signed.headers.getlist("Set-Cookie") if c.startswith("grid_session=")]
    assert session_cookie and "Secure" in session_cookie[0] and "HttpOnly" in session_cookie[0]
    lang = client.get("/lang/en?next=/")
    assert "Secure" in next(c for c in lang.headers.getlist("Set-Cookie") if c.startswith("lang="))
    mongoengine.get_db(ALIAS).client.drop_database(app.config["MONGO_DB"])


def test_shipped_gunicorn_commands_mask_link_tokens():
    commands = [compose_gateway().get("command")]  # compose has no access log; checked if it gets one
    for name in ("gateway.yaml", "households.yaml", "volunteers.yaml", "drills.yaml", "mediation.yaml"):
        commands += [c.get("command") for d in k8s_docs(name) if d["kind"] == "Deployment"
                     for c in d["spec"]["template"]["spec"]["containers"]]
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    gunicorn = [c for c in commands if c and c[0] == "gunicorn"]
    assert len(gunicorn) >= 5
    for command in gunicorn:
        if "--access-logfile" in command or command is not commands[0]:
            assert "shared.web.access_log.RedactingLogger" in command, command
    assert re.search(r'CMD \["gunicorn".*"--logger-class", "shared\.web\.access_log\.RedactingLogger"', dockerfile)
