"""The reasons the volunteers service gives, by code (see shared.reasons)."""
from shared.reasons import N_, Text  # noqa: F401
