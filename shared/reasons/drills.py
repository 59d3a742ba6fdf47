"""The reasons the drills service gives, by code (see shared.reasons)."""
from shared.reasons import N_, Text  # noqa: F401
