"""Issue 14: settings declared once (name, type, default, description), bound alike by app and worker."""
import pytest

from shared import clock
from shared.config import COMMON, Config
from shared.settings import ConfigError, Setting, Settings, between

pytestmark = pytest.mark.unit

EXAMPLE = Settings(Setting("EXAMPLE_DAYS", int, 30, "days of something", check=between(1, 90)),
                   Setting("EXAMPLE_KEY", str, None, "a key", test_default="test-key"))


def test_a_setting_comes_from_the_environment_else_its_default(monkeypatch):
    monkeypatch.delenv("EXAMPLE_DAYS", raising=False)
    assert Config("example", EXAMPLE).EXAMPLE_DAYS == 30
    monkeypatch.setenv("EXAMPLE_DAYS", "45")
    assert Config("example", EXAMPLE).EXAMPLE_DAYS == 45


def test_a_wrong_value_stops_the_start_with_the_setting_named(monkeypatch):
    monkeypatch.setenv("EXAMPLE_DAYS", "400")
    with pytest.raises(ConfigError, match="EXAMPLE_DAYS must be between 1 and 90"):
        Config("example", EXAMPLE)
    monkeypatch.setenv("EXAMPLE_DAYS", "many")
    with pytest.raises(ConfigError, match="EXAMPLE_DAYS='many' is not a valid int"):
        Config("example", EXAMPLE)


def test_use_cases_read_the_bound_config_and_the_clock_takes_its_zone(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Urumqi")
    config = Config("example").use(EXAMPLE)
    config.EXAMPLE_DAYS = 7
    config.bind()
    try:
        assert EXAMPLE.EXAMPLE_DAYS == 7
        assert str(clock.zone()) == "Asia/Urumqi"
    finally:
        clock.configure(None)


def test_every_setting_is_described():
    assert all(description for *_, description in COMMON.describe())
    assert ("EXAMPLE_DAYS", "int", 30, "days of something") in EXAMPLE.describe()
