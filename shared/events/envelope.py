"""The JSON envelope every integration event travels in."""
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from marshmallow import Schema, fields, post_load, validate


@dataclass(frozen=True)
class Event:
    type: str
    data: dict
    source: str
    community_id: str | None = None
    grid_id: str | None = None
    correlation_id: str | None = None
    version: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def to_dict(self) -> dict:
        return _ENVELOPE.dump(self)

    def load(self) -> "Event":
        """This event with its data loaded through its contract (dates and datetimes as Python values), as
        handlers receive it. The data as published (JSON form) stays what `to_dict` sends."""
        from shared.events.contracts import contract_for

        return replace(self, data=contract_for(self.type, self.version).load(self.data))


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$"))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    source = fields.String(required=True)
    correlation_id = fields.String(allow_none=True, load_default=None)
    community_id = fields.String(allow_none=True, load_default=None)
    grid_id = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(required=True)

    @post_load
    def make(self, values, **kwargs):
        values["id"] = str(values["id"])
        return Event(**values)


_ENVELOPE = EnvelopeSchema()


def new_event(event_type: str, *, version: int, data: dict, source: str, **envelope) -> Event:
    """Build an event of this type and contract version, its data checked against the contract (JSON form)."""
    from shared.context import correlation_id
    from shared.events.contracts import validate_data

    envelope.setdefault("correlation_id", correlation_id.get())
    return Event(type=event_type, version=version, data=validate_data(event_type, version, data), source=source,
                 **envelope)

