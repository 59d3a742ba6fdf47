"""Base pieces of event contracts: each service's event schemas live in shared/events/<service>.py."""
from marshmallow import Schema


class Contract(Schema):
    class Meta:
        # Producers may add fields in a later minor change; consumers ignore what they don't know.
        unknown = "exclude"
