"""The reasons the mediation service gives, by code (see shared.reasons)."""
from shared.reasons import N_, Text  # noqa: F401
