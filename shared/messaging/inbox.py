"""Idempotent consumers: the record of which event ids each consumer has already handled."""
from datetime import datetime, timezone

import mongoengine as me


class ProcessedEvent(me.Document):
    consumer = me.StringField(required=True)
    event_id = me.StringField(required=True)
    event_type = me.StringField(required=True)
    processed_at = me.DateTimeField(required=True)
    meta = {
        "collection": "processed_events",
        "indexes": [{"fields": ["consumer", "event_id"], "unique": True}],
    }


def already_processed(*, consumer: str, event_id: str) -> bool:
    """True when this consumer has handled the event before."""
    return ProcessedEvent.objects(consumer=consumer, event_id=event_id).first() is not None


def record_processed(*, consumer: str, event_id: str, event_type: str) -> None:
    """Remember that this consumer handled the event (a second record is a harmless no-op)."""
    try:
        ProcessedEvent(
            consumer=consumer, event_id=event_id, event_type=event_type, processed_at=datetime.now(timezone.utc)
        ).save(force_insert=True)
    except me.NotUniqueError:
        pass
