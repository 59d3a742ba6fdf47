import pytest
from marshmallow import ValidationError

from shared import context
from shared.events import EnvelopeSchema, UnknownEventType, new_event, validate_data


def grid_created(**data):
    return new_event("grid.created", version=1, source="households", data={
        "grid_id": "G1", "code": "G1", "name": "一网格", "community_id": "C1", **data})


def test_envelope_round_trips_with_id_timestamp_and_correlation():
    token = context.correlation_id.set("req-42")
    try:
        event = grid_created()
    finally:
        context.correlation_id.reset(token)
    loaded = EnvelopeSchema().load(event.to_dict())
    assert loaded == event
    assert event.correlation_id == "req-42" and event.occurred_at.tzinfo is not None and len(event.id) == 36


def test_a_producer_cannot_emit_data_that_breaks_the_contract():
    with pytest.raises(ValidationError) as err:
        new_event("grid.created", version=1, source="households", data={"grid_id": "G1"})
    assert set(err.value.messages) == {"code", "name", "community_id"}


def test_unknown_types_and_versions_have_no_contract():
    with pytest.raises(UnknownEventType):
        validate_data("grid.exploded", 1, {})
    with pytest.raises(UnknownEventType):
        validate_data("grid.created", 2, {})


def test_envelope_rejects_a_type_that_is_not_noun_dot_verb():
    bad = {**grid_created().to_dict(), "type": "GridCreated"}
    with pytest.raises(ValidationError):
        EnvelopeSchema().load(bad)
