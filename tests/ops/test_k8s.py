"""deploy/k8s: read without kustomize, validated offline against Kubernetes schemas (CRDs by hand)."""
import re
import shutil
import subprocess

import pytest
import yaml

from .helpers import DEPLOY, load_yaml, load_yaml_docs, service_names, service_settings

K8S = DEPLOY / "k8s"
KUBE_VERSION = "1.30"  # oldest Kubernetes we support; kubernetes-validate ships its schemas
CRD_KINDS = {"RabbitmqCluster", "MongoDBCommunity"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")
SERVICES = service_names()


def _base() -> list[dict]:
    kustomization = load_yaml(K8S / "base" / "kustomization.yaml")
    listed = kustomization["resources"]
    on_disk = {p.name for p in (K8S / "base").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk, "every manifest in base/ is listed in kustomization.yaml"
    return [doc for name in listed for doc in load_yaml_docs(K8S / "base" / name)]


BASE = _base()


def of_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in BASE if doc["kind"] == kind}


DEPLOYMENTS = of_kind("Deployment")


def containers(deployment: dict) -> list[dict]:
    return deployment["spec"]["template"]["spec"]["containers"]


def fronted_by_a_service(deployment: dict) -> bool:
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    return any(svc["spec"]["selector"].items() <= labels.items() for svc in of_kind("Service").values())


@pytest.mark.parametrize("doc", [d for d in BASE if d["kind"] not in CRD_KINDS],
                         ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_matches_the_kubernetes_schema(doc):
    validator = pytest.importorskip("kubernetes_validate")
    validator.validate(doc, KUBE_VERSION, strict=True)


def test_the_stack_is_complete(app_services):
    apis = {f"{name}-api" for name in SERVICES}
    workers = {f"{name}-worker" for name in SERVICES}
    assert set(app_services) <= set(DEPLOYMENTS), "every compose app process has a Deployment"
    assert {"gateway"} | apis | workers <= set(DEPLOYMENTS)
    assert {"gateway"} | apis == set(of_kind("HorizontalPodAutoscaler")), "the gateway and the APIs scale"
    assert {"gateway"} | apis <= set(of_kind("Service")) and not workers & set(of_kind("Service"))
    assert {"gateway"} | apis <= set(of_kind("PodDisruptionBudget"))
    assert set(of_kind("Ingress")) == {"gateway"}, "phones reach the gateway only"
    assert not of_kind("Secret"), "no Secret is committed"


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_deployment_is_probed_bounded_and_hardened(name):
    deployment = DEPLOYMENTS[name]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    tmp_volumes = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
    for c in containers(deployment):
        ports = {p["name"] for p in c["ports"]} | {p["containerPort"] for p in c["ports"]}
        live, ready = c["livenessProbe"]["httpGet"], c["readinessProbe"]["httpGet"]
        assert live["path"] == "/healthz" and live["port"] in ports
        assert ready["port"] in ports
        # Ready only when its database (and broker) answer; APIs, workers and the gateway all serve /readyz.
        assert ready["path"] == "/readyz"
        for key in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][key]), f"{name}: resources.{key}"
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert any(m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in c["volumeMounts"])
        scrape = deployment["spec"]["template"]["metadata"]["annotations"]
        assert int(scrape["prometheus.io/port"]) in ports and scrape["prometheus.io/path"] == "/metrics"


GATEWAY_PROCESSES = ("gateway", "gateway-worker")


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_configuration_and_secrets_are_references(name):
    config_maps = set(of_kind("ConfigMap"))
    for c in containers(DEPLOYMENTS[name]):
        assert {ref["configMapRef"]["name"] for ref in c["envFrom"]} <= config_maps
        env = {e["name"]: e for e in c["env"]}
        keys = {name: ("GATEWAY_SECRET_KEY", "IDENTITY_PRIVATE_KEY") for name in GATEWAY_PROCESSES}.get(
            name, ("IDENTITY_PUBLIC_KEY",) if name.endswith("-api") else ())
        for var in ("MONGO_URL",) + keys:
            assert "secretKeyRef" in env[var]["valueFrom"], f"{name}: {var} comes from a Secret"
        # Only the gateway (and its worker, which asks the services for the monthly reports' figures as the gateway
        # does) can sign identities; a service (or its worker) holding the key could speak as anyone.
        assert ("IDENTITY_PRIVATE_KEY" in env) == (name in GATEWAY_PROCESSES), name
        assert "SERVICE_SECRET" not in env, f"{name}: the shared identity secret is gone"
        for var, entry in env.items():
            assert not (SECRET_NAME.search(var) and "value" in entry), f"{name}: {var} is a literal"
        assert "$(AMQP_PASSWORD)" in env["AMQP_URL"]["value"]


def test_households_get_the_lookup_key_from_a_secret_and_no_one_else_does():
    """Issue 13: the key of the ID-number/phone hashes is a Secret; without it a database copy is not enough."""
    for name, deployment in DEPLOYMENTS.items():
        env = {e["name"]: e for e in containers(deployment)[0]["env"]}
        if not name.startswith("households-"):
            assert "LOOKUP_HMAC_KEY" not in env, f"{name} has no use for the look-up key"
            continue
        entry = env["LOOKUP_HMAC_KEY"]
        assert "value" not in entry and entry["valueFrom"]["secretKeyRef"] == {
            "name": "grid-secrets", "key": "lookup-hmac-key"}, name
    assert "LOOKUP_HMAC_KEY" not in of_kind("ConfigMap")["grid-config"]["data"]


def test_commands_match_compose(app_services):
    for name, svc in app_services.items():
        (container,) = containers(DEPLOYMENTS[name])
        assert container["command"] == svc["command"], name


def test_hpas_services_and_ingress_point_at_real_things():
    for name, hpa in of_kind("HorizontalPodAutoscaler").items():
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in DEPLOYMENTS
        assert "replicas" not in DEPLOYMENTS[target["name"]]["spec"], f"{name}: the HPA owns replicas"
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    services = of_kind("Service")
    for name, svc in services.items():
        if name == "not-published":  # the Ingress's dead end: no pods (test_metrics_and_openapi_are_not_published...)
            continue
        (deployment,) = [d for d in DEPLOYMENTS.values() if fronted_by_a_service(d)
                         and svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        port_names = {p["name"] for c in containers(deployment) for p in c["ports"]}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} <= port_names, name
    backend = of_kind("Ingress")["gateway"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] in services
    assert backend["port"]["name"] in {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
    data = of_kind("ConfigMap")["grid-config"]["data"]
    for name in SERVICES:  # where the gateway finds each API
        host, port = re.fullmatch(r"http://([\w-]+):(\d+)", data[f"{name.upper()}_URL"]).groups()
        assert host == f"{name}-api" and int(port) in {p["port"] for p in services[host]["spec"]["ports"]}, name


@pytest.mark.parametrize("name", SERVICES)
def test_service_settings_are_in_the_config_map(name):
    data = of_kind("ConfigMap")["grid-config"]["data"]
    missing = service_settings(name) - set(data)
    assert not missing, f"add {sorted(missing)} to deploy/k8s/base/config.yaml"
    assert all(isinstance(value, str) for value in data.values()), "ConfigMap values are strings"
    (worker,) = containers(DEPLOYMENTS[f"{name}-worker"])
    env = {e["name"]: e.get("value") for e in worker["env"]}
    assert env["METRICS_PORT"] == str(worker["ports"][0]["containerPort"]), "the worker serves the probed port"


def _mongo_users() -> dict[str, dict]:
    (mongo,) = of_kind("MongoDBCommunity").values()
    return {user["name"]: user for user in mongo["spec"]["users"]}


def _database_of(deployment_name: str) -> str:
    """The database a Deployment's process uses: grid_<service> (the default of <SERVICE>_MONGO_DB), grid_gateway."""
    return "grid_gateway" if deployment_name == "gateway" else f"grid_{deployment_name.rsplit('-', 1)[0]}"


def test_operator_resources():
    (rabbit,) = of_kind("RabbitmqCluster").values()
    assert rabbit["apiVersion"] == "rabbitmq.com/v1beta1" and rabbit["spec"]["replicas"] == 3
    (mongo,) = of_kind("MongoDBCommunity").values()
    assert mongo["apiVersion"] == "mongodbcommunity.mongodb.com/v1"
    assert mongo["spec"]["type"] == "ReplicaSet" and mongo["spec"]["members"] == 3
    assert "SCRAM" in mongo["spec"]["security"]["authentication"]["modes"]
    users = _mongo_users()
    for user in users.values():
        assert user["passwordSecretRef"]["name"] and user["scramCredentialsSecretName"]
    secrets = [u[key] for u in users.values() for key in ("connectionStringSecretName", "scramCredentialsSecretName")]
    assert len(secrets) == len(set(secrets)), "no two users share a Secret"
    assert len({u["passwordSecretRef"]["name"] for u in users.values()}) == len(users), "one password per user"
    for deployment in DEPLOYMENTS.values():
        env = {e["name"]: e for e in containers(deployment)[0]["env"]}
        assert env["AMQP_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"{rabbit['metadata']['name']}-default-user"
        assert f"@{rabbit['metadata']['name']}:5672/" in env["AMQP_URL"]["value"]


def test_one_mongodb_user_per_service_limited_to_its_own_database():
    """Issue 12 point 9: a compromised service reaches its own database only, through a user of its own."""
    users = _mongo_users()
    databases = {_database_of(name) for name in DEPLOYMENTS}
    assert databases == set(BACKUP_DATABASES), "every service's database and the gateway's"
    by_secret = {u["connectionStringSecretName"]: u for u in users.values()}
    used_by: dict[str, set[str]] = {}
    for name, deployment in DEPLOYMENTS.items():
        ref = {e["name"]: e for e in containers(deployment)[0]["env"]}["MONGO_URL"]["valueFrom"]["secretKeyRef"]
        assert ref["key"] == "connectionString.standard", name
        user = by_secret[ref["name"]]  # the apps read exactly the Secrets the operator writes
        database = _database_of(name)
        # The connection string ends in /<user's db>, which mongoengine uses as the database: it must be the service's.
        assert user["db"] == database, f"{name}: its user is stored in {user['db']}, it uses {database}"
        assert user["roles"] == [{"name": "readWrite", "db": database}], f"{name}: readWrite on {database} only"
        used_by.setdefault(user["name"], set()).add(database)
    assert all(len(dbs) == 1 for dbs in used_by.values()), f"no service uses another's user: {used_by}"
    assert len(used_by) == len(databases), "each database has a user of its own"
    for user in users.values():
        roles = {role["name"] for role in user["roles"]}
        assert not roles & {"root", "readWriteAnyDatabase", "dbOwner", "userAdmin", "userAdminAnyDatabase",
                            "dbAdminAnyDatabase", "clusterAdmin", "restore"}, f"{user['name']} has {roles}"
    (backup,) = [u for u in users.values() if u["name"] not in used_by]
    assert backup["roles"] == [{"name": "backup", "db": "admin"}] and backup["db"] == "admin"


def test_example_overlay_is_self_consistent():
    overlay = K8S / "overlays" / "example"
    kustomization = load_yaml(overlay / "kustomization.yaml")
    assert "../../base" in kustomization["resources"] and kustomization["namespace"]
    assert {image["name"] for image in kustomization["images"]} == {
        c["image"] for d in DEPLOYMENTS.values() for c in containers(d)}
    assert "secretGenerator" not in kustomization or all(
        "literals" not in g for g in kustomization["secretGenerator"]), "no secret values in the repo"
    patched = {}
    for patch in kustomization.get("patches", []):
        doc = load_yaml(overlay / patch["path"])
        assert doc["metadata"]["name"] in of_kind(doc["kind"]), patch["path"]
        patched[doc["kind"]] = doc
    # Links residents open (volunteer sign-up, surveys) point at the district's own Ingress host, over HTTPS.
    (host,) = [rule["host"] for rule in patched["Ingress"]["spec"]["rules"]]
    assert patched["ConfigMap"]["data"]["PUBLIC_BASE_URL"] == f"https://{host}"
    assert host in patched["Ingress"]["spec"]["tls"][0]["hosts"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_kustomize_renders_the_example_overlay():
    result = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / "example")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert len(rendered) == len(BASE) + 1  # + the Namespace
    validator = pytest.importorskip("kubernetes_validate")
    for doc in rendered:
        if doc["kind"] not in CRD_KINDS:
            validator.validate(doc, KUBE_VERSION, strict=True)
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "grid-example", doc["metadata"]["name"]
        if doc["kind"] == "Deployment":
            assert containers(doc)[0]["image"].startswith("registry.example.org/")


BACKUP_DATABASES = [f"grid_{name}" for name in SERVICES] + ["grid_gateway"]


def _backup_job() -> tuple[dict, dict, dict]:
    """The backup CronJob, its pod spec and its one container."""
    cronjob = of_kind("CronJob")["grid-backup"]
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return cronjob, pod, container


def test_backup_cronjob_dumps_every_database_nightly_to_a_persistent_volume():
    cronjob, pod, container = _backup_job()
    spec = cronjob["spec"]
    minute, hour, *every_day = spec["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and 0 <= int(hour) <= 5, "once a night, outside working hours"
    assert every_day == ["*", "*", "*"] and spec["timeZone"] == "Asia/Shanghai"
    assert spec["concurrencyPolicy"] == "Forbid", "two dumps never run at once"
    assert pod["restartPolicy"] == "Never" and spec["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0
    (mongo,) = of_kind("MongoDBCommunity").values()
    assert container["image"] == f"mongo:{mongo['spec']['version']}", "mongodump of the server's version"
    env = {e["name"]: e for e in container["env"]}
    (backup_user,) = [u for u in mongo["spec"]["users"] if {"name": "backup", "db": "admin"} in u["roles"]]
    assert env["MONGO_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": backup_user["connectionStringSecretName"], "key": "connectionString.standard"}, "its own reading user"
    assert sorted(env["BACKUP_DATABASES"]["value"].split()) == sorted(BACKUP_DATABASES), "every service's database and the gateway's"
    claims = of_kind("PersistentVolumeClaim")
    volumes = {v["name"]: v for v in pod["volumes"]}
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/backups"]
    assert volumes[mount["name"]]["persistentVolumeClaim"]["claimName"] in claims
    script = container["command"][-1]
    assert "mongodump" in script and "--gzip" in script and "SHA256SUMS" in script
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["fsGroup"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])


def _run_backup_script(tmp_path, *, fail: bool = False) -> subprocess.CompletedProcess:
    """The CronJob's script on this machine, against a stand-in mongodump that writes one file per database."""
    _, _, container = _backup_job()
    env = {e["name"]: e.get("value") for e in container["env"]}
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "mongodump"
    fake.write_text("#!/bin/sh\n" + ("exit 3\n" if fail else "")
                    + 'for a; do case "$a" in --uri=*) echo "${a#--uri=}" >> "$CALLS";; --db=*) db=${a#--db=};;'
                    ' --out=*) out=${a#--out=};; esac; done\n'
                    'mkdir -p "$out/$db" && echo data > "$out/$db/households.bson.gz"\n')
    fake.chmod(0o755)
    script = container["command"][-1].replace("/backups", str(tmp_path / "backups"))
    return subprocess.run([*container["command"][:-1], script], check=False, capture_output=True, text=True, timeout=60, env={
        "PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(tmp_path / "calls"),
        "MONGO_URL": "mongodb://grid:p%40ss@m-0.svc:27017,m-1.svc:27017/admin?replicaSet=grid-mongo&ssl=false",
        "BACKUP_DATABASES": env["BACKUP_DATABASES"], "BACKUP_RETENTION_DAYS": env["BACKUP_RETENTION_DAYS"]})


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils not installed")
def test_backup_cronjob_keeps_tonights_dump_and_deletes_only_dumps_past_retention(tmp_path):
    import os
    import time

    _, _, container = _backup_job()
    days = int({e["name"]: e.get("value") for e in container["env"]}["BACKUP_RETENTION_DAYS"])
    assert 7 <= days <= 90
    backups = tmp_path / "backups"
    old, recent, partial = (backups / "20260101T023000Z", backups / "20261201T023000Z", backups / ".partial-x")
    for folder in (old, recent, partial):
        folder.mkdir(parents=True)
    long_ago = time.time() - (days + 1) * 86400
    os.utime(old, (long_ago, long_ago))

    failed = _run_backup_script(tmp_path, fail=True)
    assert failed.returncode != 0
    assert old.exists() and recent.exists(), "a failed night deletes nothing"

    done = _run_backup_script(tmp_path)
    assert done.returncode == 0, done.stderr
    assert not old.exists() and recent.exists() and not partial.exists()
    (tonight,) = [p for p in backups.iterdir() if p not in (recent,) and not p.name.startswith(".")]
    assert {p.name for p in tonight.iterdir()} == {*BACKUP_DATABASES, "SHA256SUMS"}
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tonight, check=False, capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == len(BACKUP_DATABASES)
    # mongodump gets the replica set without the connection string's database, or it would dump only that one.
    uris = set((tmp_path / "calls").read_text().split())
    assert uris == {"mongodb://grid:p%40ss@m-0.svc:27017,m-1.svc:27017/?replicaSet=grid-mongo&ssl=false"}


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils not installed")
def test_the_restore_job_in_the_operators_notes_renders_and_checks_the_dump_first(tmp_path):
    notes = (K8S / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\n   ```sh\n(   DUMP=.*?)   ```\n", notes, re.DOTALL).group(1)
    shell = "\n".join(line[3:] for line in block.splitlines()).split("\nkubectl -n grid-example logs")[0]
    rendered = subprocess.run(["sh", "-c", shell.replace("kubectl -n grid-example apply -f -", "cat")],
                              check=True, capture_output=True, text=True, timeout=30)
    job = yaml.safe_load(rendered.stdout)
    validator = pytest.importorskip("kubernetes_validate")
    validator.validate(job, KUBE_VERSION, strict=True)
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] in of_kind("PersistentVolumeClaim")
    dump = tmp_path / "backups" / re.search(r"DUMP=(\S+)", block).group(1)
    (dump / "grid_gateway").mkdir(parents=True)
    (dump / "grid_gateway" / "users.bson.gz").write_bytes(b"users")
    subprocess.run("sha256sum grid_gateway/users.bson.gz > SHA256SUMS", shell=True, cwd=dump, check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mongorestore").write_text('#!/bin/sh\necho "$@"\n')
    (bin_dir / "mongorestore").chmod(0o755)
    script = container["command"][-1].replace("/backups", str(tmp_path / "backups"))
    users = _mongo_users()
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"]}
    assert sorted(refs) == sorted(BACKUP_DATABASES), "every database is restored"
    for database, secret in refs.items():  # each by its own service's user, never the backup user
        (user,) = [u for u in users.values() if u["connectionStringSecretName"] == secret]
        assert user["roles"] == [{"name": "readWrite", "db": database}], database
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", **{
        db: f"mongodb://{db[5:]}:p%40ss@m-0:27017,m-1:27017/{db}?replicaSet=rs&ssl=false" for db in BACKUP_DATABASES}}
    ran = subprocess.run([*container["command"][:-1], script], check=False, capture_output=True, text=True, timeout=30, env=env)
    assert ran.returncode == 0, ran.stderr
    calls = {re.search(r"--nsInclude=(\w+)\.\*", call).group(1): call for call in ran.stdout.splitlines()}
    assert sorted(calls) == sorted(BACKUP_DATABASES) and len(ran.stdout.splitlines()) == len(calls)
    for db, call in calls.items():
        # The user's database becomes authSource (in the path, mongorestore would take it for --db); one namespace.
        assert f"--uri=mongodb://{db[5:]}:p%40ss@m-0:27017,m-1:27017/?authSource={db}&replicaSet=rs&ssl=false" in call
        assert f"--nsInclude={db}.*" in call and "--drop" in call, call
    (dump / "grid_gateway" / "users.bson.gz").write_bytes(b"usErs")  # damaged: nothing is restored
    ran = subprocess.run([*container["command"][:-1], script], check=False, capture_output=True, text=True, timeout=30, env=env)
    assert ran.returncode != 0 and "--uri" not in ran.stdout


def _policies_for(labels: dict) -> list[dict]:
    return [p for p in of_kind("NetworkPolicy").values()
            if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]


def _peers_and_ports(policies) -> set[tuple[str, int]]:
    """(who, port) pairs the policies let in: who is "gateway", "prometheus", "ingress" or the raw peer."""
    out = set()
    for policy in policies:
        for rule in policy["spec"]["ingress"]:
            for peer in rule["from"]:
                pod = peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                namespace = peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                who = {("gateway", None): "gateway", ("gateway-worker", None): "gateway-worker",
                       ("prometheus", "monitoring"): "prometheus",
                       (None, "ingress-nginx"): "ingress"}.get((pod, namespace), repr(peer))
                out |= {(who, port["port"]) for port in rule["ports"]}
    return out


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_network_policies_let_only_the_gateway_reach_the_apis(name):
    """Issue 12 point 9: a compromised pod cannot call a service's API (only the gateway and its worker, which gathers
    the monthly reports' figures, may); Prometheus still scrapes /metrics."""
    deployment = DEPLOYMENTS[name]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    policies = _policies_for(labels)
    assert policies and all(p["spec"]["policyTypes"] == ["Ingress"] for p in policies), f"{name} is isolated"
    (port,) = [p["containerPort"] for c in containers(deployment) for p in c["ports"]]
    expected = {"gateway": {("ingress", port), ("prometheus", port)},
                "api": {("gateway", port), ("gateway-worker", port), ("prometheus", port)},
                "worker": {("prometheus", port)}}
    kind = "gateway" if name == "gateway" else name.rsplit("-", 1)[1]
    assert _peers_and_ports(policies) == expected[kind], name


def test_metrics_and_openapi_are_not_published_through_the_ingress():
    overlay = load_yaml(K8S / "overlays" / "example" / "ingress.yaml")
    closed = of_kind("Service")["not-published"]
    assert not [d for d in DEPLOYMENTS.values()
                if closed["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
    for ingress in (of_kind("Ingress")["gateway"], overlay):
        routes = {(p["path"], p["pathType"]): p["backend"]["service"]["name"]
                  for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
        assert routes == {("/metrics", "Exact"): "not-published", ("/openapi.json", "Exact"): "not-published",
                          ("/", "Prefix"): "gateway"}
