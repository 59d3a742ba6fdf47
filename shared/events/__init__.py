"""Integration events: the envelope and one schema per event type (the contract between services)."""
from shared.events.contracts import CONTRACTS, UnknownEventType, validate_data
from shared.events.envelope import EnvelopeSchema, Event, new_event

__all__ = ["Event", "EnvelopeSchema", "new_event", "CONTRACTS", "UnknownEventType", "validate_data"]
