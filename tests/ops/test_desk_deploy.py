"""The desk's settings as deployed: the ConfigMap's lists are the service's defaults, and every hop an incident's
photos pass (the Ingress, the gateway, the mediation service) admits PHOTOS_PER_CASE photos of PHOTO_MAX_BYTES."""
import re

from gateway.config import SETTINGS as GATEWAY_SETTINGS
from services.mediation.config import DEFAULT_DEPARTMENTS, DEFAULT_INCIDENT_CATEGORIES, SETTINGS, code_labels

from .helpers import DEPLOY, load_yaml_docs

UNITS = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def config_map() -> dict:
    (config,) = [d for d in load_yaml_docs(DEPLOY / "k8s" / "base" / "config.yaml") if d["kind"] == "ConfigMap"]
    return config["data"]


def photos_budget(values: dict) -> int:
    """What an incident's photos may add up to, from the mediation settings in `values` (the defaults otherwise)."""
    def get(name):
        return int(values.get(name) or SETTINGS.declared[name].default)

    return get("PHOTOS_PER_CASE") * get("PHOTO_MAX_BYTES")


def test_the_config_maps_lists_are_the_services_defaults():
    data = config_map()
    assert code_labels(data["INCIDENT_CATEGORIES"]) == DEFAULT_INCIDENT_CATEGORIES
    assert code_labels(data["DISPATCH_DEPARTMENTS"]) == DEFAULT_DEPARTMENTS


def test_the_gateway_takes_an_incidents_photos_and_its_form():
    data = config_map()
    photos = max(photos_budget({}), photos_budget(data))
    gateway_photos = int(data.get("MAX_PHOTOS_BYTES") or GATEWAY_SETTINGS.declared["MAX_PHOTOS_BYTES"].default)
    assert gateway_photos >= photos, "raise the gateway's MAX_PHOTOS_BYTES to PHOTOS_PER_CASE × PHOTO_MAX_BYTES"


def test_the_ingress_lets_the_gateways_largest_request_through():
    (ingress,) = [d for d in load_yaml_docs(DEPLOY / "k8s" / "base" / "gateway.yaml") if d["kind"] == "Ingress"]
    size = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", size.lower()).groups()
    allowed = int(number) * UNITS.get(unit, 1)
    data = config_map()
    gateway_photos = int(data.get("MAX_PHOTOS_BYTES") or GATEWAY_SETTINGS.declared["MAX_PHOTOS_BYTES"].default)
    uploads = int(data.get("MAX_UPLOAD_BYTES") or GATEWAY_SETTINGS.declared["MAX_UPLOAD_BYTES"].default)
    assert allowed >= max(gateway_photos, uploads) + 64 * 1024, f"proxy-body-size {size} refuses what the gateway takes"


def test_the_gateways_flask_limit_admits_its_photos():
    from gateway.config import TestConfig

    config = TestConfig(mongo_url="mongodb://127.0.0.1:9", run_id="limits")
    assert config.MAX_CONTENT_LENGTH >= photos_budget({}) + 64 * 1024
    assert config.MAX_CONTENT_LENGTH >= config.MAX_UPLOAD_BYTES + 64 * 1024
