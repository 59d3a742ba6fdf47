"""The registry of event contracts: (type, version) -> schema, gathered from each service's module.

A new service adds `shared/events/<service>.py` with its schemas and a CONTRACTS dict, and one line here.
"""
from marshmallow import Schema, ValidationError

from shared.events import drills, gateway, households, mediation, volunteers
from shared.events.households import CARE_TAGS  # noqa: F401 (re-exported: the care tags every service knows)

CONTRACTS: dict[tuple[str, int], type[Schema]] = {
    **households.CONTRACTS,
    **drills.CONTRACTS,
    **volunteers.CONTRACTS,
    **mediation.CONTRACTS,
    **gateway.CONTRACTS,
}


class UnknownEventType(ValueError):
    """No contract exists for this event type and version."""


_INSTANCES: dict[tuple[str, int], Schema] = {}


def contract_for(event_type: str, version: int) -> Schema:
    """The (shared, stateless) schema instance for an event type and version."""
    key = (event_type, version)
    if key not in _INSTANCES:
        if key not in CONTRACTS:
            raise UnknownEventType(f"no contract for {event_type} v{version}")
        _INSTANCES[key] = CONTRACTS[key]()
    return _INSTANCES[key]


def validate_data(event_type: str, version: int, data: dict) -> dict:
    """Check event data against its contract and return it in its JSON form."""
    schema = contract_for(event_type, version)
    errors = schema.validate(data)
    if errors:
        raise ValidationError(errors)
    return schema.dump(schema.load(data))
