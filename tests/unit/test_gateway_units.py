"""Gateway pieces that need no server: config, passwords, redirects, messages, reports (catalogs: test_translations)."""
from pathlib import Path

import pytest

import gateway
from gateway import passwords
from gateway.auth import safe_next
from gateway.config import PRIVATE_NETWORKS, GatewayConfig
from gateway.users import UserInvalid, _check_scope, parse_ids
from gateway.views.health import scraper_allowed
from shared.config import ConfigError
from shared.identity import generate_key_pair

PRIVATE_KEY = generate_key_pair()[0]
GATEWAY = Path(gateway.__file__).parent


@pytest.fixture
def env(monkeypatch):
    for name in ("GATEWAY_SECRET_KEY", "IDENTITY_PRIVATE_KEY", "HOUSEHOLDS_URL", "VOLUNTEERS_URL", "DRILLS_URL",
                 "MEDIATION_URL"):
        monkeypatch.setenv(name, "x")  # recorded, so whatever a test sets is undone afterwards
        monkeypatch.delenv(name)
    return monkeypatch


def test_config_has_no_default_secrets(env):
    with pytest.raises(ConfigError, match="GATEWAY_SECRET_KEY"):
        GatewayConfig()
    env.setenv("GATEWAY_SECRET_KEY", "k")
    with pytest.raises(ConfigError, match="IDENTITY_PRIVATE_KEY"):
        GatewayConfig()
    env.setenv("IDENTITY_PRIVATE_KEY", "not-a-key")
    with pytest.raises(ConfigError, match="IDENTITY_PRIVATE_KEY"):
        GatewayConfig()
    env.setenv("IDENTITY_PRIVATE_KEY", PRIVATE_KEY)
    with pytest.raises(ConfigError, match="HOUSEHOLDS_URL"):
        GatewayConfig()
    env.setenv("HOUSEHOLDS_URL", "http://households:8001/")
    config = GatewayConfig()
    assert config.SERVICE_URLS == {"households": "http://households:8001"}
    env.setenv("VOLUNTEERS_URL", "http://volunteers:8002/")
    env.setenv("DRILLS_URL", "http://drills:8003")
    env.setenv("MEDIATION_URL", "http://mediation:8004")
    assert GatewayConfig().SERVICE_URLS == {"households": "http://households:8001", "volunteers": "http://volunteers:8002",
                                            "drills": "http://drills:8003", "mediation": "http://mediation:8004"}
    assert config.SECRET_KEY == "k" and config.IDENTITY_PRIVATE_KEY == PRIVATE_KEY
    assert (config.SESSION_IDLE_S, config.SESSION_ABSOLUTE_S) == (1800, 43200)
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.BABEL_DEFAULT_LOCALE == "zh_CN"


def test_passwords_are_argon2_and_checked_in_equal_time():
    stored = passwords.hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse")
    assert not passwords.verify_password(stored, "wrong horse")
    assert not passwords.verify_password(None, "anything")  # unknown user: the dummy hash is checked
    assert not passwords.verify_password("not-a-hash", "x")
    assert passwords.weak_reason("short") == "too_short"
    assert passwords.weak_reason("worker-g1", "worker-g1") == "same_as_username"


@pytest.mark.parametrize("target,expected", [
    ("/grids/g1/today", "/grids/g1/today"), ("/households/x?y=1", "/households/x?y=1"),
    ("//evil.example/x", "/"), ("https://evil.example", "/"), ("/\\evil", "/"), ("", "/"), (None, "/"),
])
def test_next_is_only_a_path_on_this_site(target, expected):
    assert safe_next(target) == expected


def test_scope_rules_per_role():
    _check_scope("grid_worker", ["g1"], [])
    _check_scope("community_staff", [], ["c1"])
    _check_scope("admin", [], [])
    with pytest.raises(UserInvalid) as e:
        _check_scope("grid_worker", [], ["c1"])
    assert e.value.code == "grids_needed"
    with pytest.raises(UserInvalid):
        _check_scope("mediator", [], [])
    with pytest.raises(UserInvalid) as e:
        _check_scope("grid_worker", ["g 1"], [])
    assert e.value.code == "bad_id"
    assert parse_ids("g1, g2，g3 g1") == ["g1", "g2", "g3"]


def test_service_reasons_and_fields_in_chinese_and_english():
    from flask import Flask

    from gateway.extensions import babel
    from gateway.i18n import field_label, field_reasons, reason_text

    app = Flask("t", root_path=str(GATEWAY))
    app.config.update(LANGUAGES=("zh_CN", "en"), BABEL_DEFAULT_LOCALE="zh_CN")
    from gateway.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    check = {"code": "id_number.check_character", "params": {}}
    with app.test_request_context("/"):
        assert reason_text(check, "ID number check character is wrong") == "身份证号校验位不对，请核对。"
        assert reason_text({"code": "length.between", "params": {"min": 1, "max": 40}},
                           "Length must be between 1 and 40.") == "请填写 1 到 40 个字符。"
        assert reason_text({"code": "object.not_found", "params": {"what": "grid", "id": "g9"}},
                           "grid g9 not found") == "网格 g9 不存在，或不在您的负责范围内。"
        assert reason_text({"code": "something.new", "params": {}}, "something new") == "something new"
        assert reason_text(None, "something new") == "something new"
        assert field_label("residents.1.id_number") == "居民 2：身份证号"
        assert field_label("address.room") == "地址：门牌号"
        phone = "phone must be a mainland mobile number of 11 digits starting with 1"
        assert field_reasons({"residents.0.phone": [phone]}, {"residents.0.phone": [{"code": "phone.form"}]}) \
            == [("居民 1：电话", ["手机号码为 11 位数字，以 1 开头。"])]
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert reason_text(check, "ID number check character is wrong") == \
            "The ID number's check character is wrong; please check it."
        assert field_label("residents.1.id_number") == "Resident 2: ID number"


def test_import_report_of_any_reasonable_shape():
    from flask import Flask

    from gateway.extensions import babel
    from gateway.views.community import _report_view

    app = Flask("t", root_path=str(GATEWAY))
    app.config.update(BABEL_DEFAULT_LOCALE="zh_CN")
    babel.init_app(app)
    with app.test_request_context("/"):
        view = _report_view({"total": 3, "imported": 1, "rows": [
            {"row": 2, "status": "ok"},
            {"row": 3, "status": "error", "errors": {"residents.0.id_number": ["ID number check character is wrong"]},
             "field_reasons": {"residents.0.id_number": [{"code": "id_number.check_character", "params": {}}]}},
            {"row": 4, "errors": ["duplicate address"]}]})
    assert ("total", 3) in view["summary"]
    assert [line["row"] for line in view["lines"]] == [2, 3, 4]
    assert view["lines"][0]["reasons"] == [] and view["lines"][2]["status"] == "error"
    assert "身份证号校验位不对" in view["lines"][1]["reasons"][0]


def test_static_weight_budget():
    js = (GATEWAY / "static" / "app.js").read_bytes() + (GATEWAY / "static" / "sw.js").read_bytes()
    assert len(js) < 50 * 1024


@pytest.mark.parametrize("addr, headers, allowed", [
    ("127.0.0.1", {}, True), ("10.1.2.3", {}, True), ("172.20.0.5", {}, True), ("::1", {}, True),
    ("203.0.113.9", {}, False), ("172.32.0.1", {}, False), ("", {}, False), ("not-an-ip", {}, False),
    ("10.1.2.3", {"X-Forwarded-For": "203.0.113.9"}, False), ("10.1.2.3", {"Forwarded": "for=1.2.3.4"}, False),
])
def test_metrics_answer_only_direct_scrapers_on_private_networks(addr, headers, allowed):
    assert scraper_allowed(addr, headers, PRIVATE_NETWORKS.split(",")) is allowed
