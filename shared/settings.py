"""Settings declared once (name, type, default, description), read from the environment, bound at start.

Each service declares its own in `services/<service>/config.py` as a `Settings`; `shared.config.Config` declares
the ones every service shares the same way. `Config.bind()` — called by the app factory and by the worker alike —
makes them the values use cases read (`SETTINGS.DRILL_DUE_MONTH`) and sets the shared clock's time zone.
"""
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class ConfigError(RuntimeError):
    """A setting is missing or out of range."""


def csv_ints(text: str) -> list[int]:
    return [int(x) for x in str(text).split(",") if x.strip()]


def boolean(text: str) -> bool:
    return str(text).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Setting:
    name: str
    type: Callable[[str], Any]
    default: Any
    description: str
    # Refuses a bad value: returns why it is wrong (None when it is right).
    check: Callable[[Any], str | None] | None = None
    # The value a test config gets when the environment sets none (a throwaway key, say).
    test_default: Any = None
    # A secret: comes from a secret store (Kubernetes Secret, .env), never from a config file or a document.
    secret: bool = False
    # Refuse to start without it (the description says what it is for).
    required: bool = False

    def read(self, environ=os.environ, *, testing: bool = False):
        """The value from the environment (empty counts as unset), else the default; ConfigError if wrong."""
        raw = environ.get(self.name)
        if raw in (None, ""):
            value = self.test_default if (testing and self.test_default is not None) else self.default
            if value is None and self.required:
                raise ConfigError(f"{self.name} must be set ({self.description})")
        else:
            try:
                value = self.type(raw)
            except (TypeError, ValueError):
                raise ConfigError(f"{self.name}={raw!r} is not a valid {getattr(self.type, '__name__', 'value')}")
        self.validate(value)
        return value

    def validate(self, value) -> None:
        problem = self.check(value) if (self.check and value is not None) else None
        if problem:
            raise ConfigError(f"{self.name} {problem}")


def between(low, high) -> Callable[[Any], str | None]:
    return lambda v: None if low <= v <= high else f"must be between {low} and {high}"


def one_of(*choices) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else f"must be one of {', '.join(map(str, choices))}, not {v!r}"


class Settings:
    """One service's settings: declared once, applied to a config, then read as attributes by use cases."""

    def __init__(self, *settings: Setting):
        self.declared = {s.name: s for s in settings}
        self._config = None

    def apply(self, config, environ=os.environ) -> None:
        """Give `config` every declared setting it lacks (a test config's own values win), checked."""
        for setting in self.declared.values():
            if getattr(config, setting.name, None) is None:
                setattr(config, setting.name, setting.read(environ, testing=getattr(config, "TESTING", False)))
            else:
                setting.validate(getattr(config, setting.name))

    def bind(self, config) -> None:
        """Use cases read `config`'s values from now on."""
        self._config = config

    def __getattr__(self, name: str):
        declared = self.__dict__.get("declared", {})
        if name not in declared:
            raise AttributeError(name)
        config = self.__dict__.get("_config")
        if config is None:  # not started (a unit test of a pure rule): the environment or the default
            return declared[name].read()
        return getattr(config, name)

    def describe(self) -> list[tuple[str, str, Any, str]]:
        """(name, type, default, description) of each setting, for documentation."""
        return [(s.name, getattr(s.type, "__name__", "value"), s.default, s.description)
                for s in self.declared.values()]
