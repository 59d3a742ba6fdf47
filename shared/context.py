"""The correlation id of the work in hand, carried from a phone's request through every event."""
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
