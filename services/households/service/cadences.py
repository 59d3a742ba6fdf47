"""The visit cadence of every care tag, published so other services plan by the same table (care.cadences_set)."""
import mongoengine as me

from services.households import events
from services.households.models import CadenceTable
from shared.clock import now
from shared.messaging.outbox import ConcurrentChange, commit


def publish_cadences() -> bool:
    """Publish the cadence table when it differs from the last one published (the worker's start, then
    periodically: a changed setting takes effect at the next start). Returns whether it published."""
    table = events.cadence_table()
    stored = CadenceTable.objects(pk="published").first()
    if stored is not None and stored.cadences == table:
        return False
    event = events.cadences_set(table)
    if stored is None:
        try:
            commit(CadenceTable(id="published", cadences=table, published_at=now()), event)
        except me.NotUniqueError:  # another worker published it at the same moment
            return False
        return True
    stored.cadences, stored.published_at = table, now()
    try:
        commit(stored, event)
    except ConcurrentChange:  # another worker published meanwhile; the next run compares with its table
        return False
    return True
