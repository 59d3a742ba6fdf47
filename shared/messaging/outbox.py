"""The outbox: a change and the events it raises are stored in one single-document write.

No multi-document transactions are needed: each aggregate keeps its unpublished events in its own
`outbox` field, the same write that changes it appends them, and the relay publishes them with
confirms and pulls them out. A failed write stores no event; a broker outage only delays them.
"""
from datetime import datetime, timezone

import mongoengine as me

from shared.events import Event


class ConcurrentChange(RuntimeError):
    """Someone else changed the document since it was read."""


class OutboxEvent(me.EmbeddedDocument):
    id = me.StringField(required=True)
    type = me.StringField(required=True)
    envelope = me.DictField(required=True)
    stored_at = me.DateTimeField(required=True)


class Aggregate(me.Document):
    """Base for documents that raise events: an outbox and a version for optimistic concurrency."""

    outbox = me.EmbeddedDocumentListField(OutboxEvent)
    # Set while the outbox holds events: the relay finds them through this small sparse index
    # instead of scanning every document of the collection.
    outbox_pending = me.BooleanField()
    version = me.IntField(default=0)
    meta = {"abstract": True, "indexes": [{"fields": ["outbox_pending"], "sparse": True}]}


def _entries(events: tuple[Event, ...]) -> list[OutboxEvent]:
    now = datetime.now(timezone.utc)
    return [OutboxEvent(id=e.id, type=e.type, envelope=e.to_dict(), stored_at=now) for e in events]


def prepare_insert(doc: Aggregate, *events: Event) -> dict:
    """The raw document `commit` would insert, events in its outbox, for a batched insert_many."""
    doc.outbox = _entries(events)
    doc.outbox_pending = True if events else None
    doc.version = 1
    doc.validate()
    return doc.to_mongo()


def commit(doc: Aggregate, *events: Event) -> Aggregate:
    """Save `doc` and append `events` to its outbox in one write; 409-style error on a stale copy."""
    entries = _entries(events)
    if doc._created:
        doc.outbox = entries
        doc.outbox_pending = True if entries else None
        doc.version = 1
        doc.save(force_insert=True)
        return doc
    doc.validate()
    sets, unsets = doc._delta()
    for key in list(sets) + list(unsets):
        if key in ("version", "outbox", "outbox_pending") or key.startswith("outbox."):
            sets.pop(key, None)
            unsets.pop(key, None)
    update = {"$inc": {"version": 1}}
    if entries:
        update["$push"] = {"outbox": {"$each": [e.to_mongo().to_dict() for e in entries]}}
        sets["outbox_pending"] = True
    if sets:
        update["$set"] = sets
    if unsets:
        update["$unset"] = unsets
    result = doc._get_collection().update_one({"_id": doc.pk, "version": doc.version}, update)
    if result.matched_count == 0:
        raise ConcurrentChange(f"{type(doc).__name__} {doc.pk} was changed by someone else")
    doc.version += 1
    doc._clear_changed_fields()
    return doc


def documents_with_outbox(models) -> list[type[Aggregate]]:
    """Every concrete Aggregate defined in the module `models` (a service's): the relay empties them all, so an
    event added to any aggregate's outbox is sent without a list to keep up to date."""
    found, stack = [], list(Aggregate.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls._meta.get("abstract") and cls.__module__ == models.__name__:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)
