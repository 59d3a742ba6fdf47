"""A planned drill called off or moved: drill.cancelled and drill.rescheduled close or move what it opened in other
services (the volunteers' helper need). A running or completed drill is neither cancelled nor moved."""
from datetime import datetime, timedelta

from services.drills import events
from services.drills.models import Drill, Reschedule
from services.drills.service.areas import load_drill
from shared import clock
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import drills as reasons

MOST = timedelta(days=3)


def cancel_drill(*, actor: Principal, drill_id: str, reason: str) -> Drill:
    """Call off a planned drill, saying why; it no longer counts, nor shows as coming."""
    drill = load_drill(drill_id, actor=actor, permission="drills.manage")
    if drill.status != "planned":
        raise Conflict(reasons.ONLY_PLANNED_CANCELS(status=drill.status))
    drill.status, drill.cancelled_at, drill.cancelled_by = "cancelled", clock.now(), actor.user_id
    drill.cancel_reason = reason
    return commit(drill, events.drill_cancelled(drill))


def reschedule_drill(*, actor: Principal, drill_id: str, starts_at: datetime, reason: str,
                     ends_at: datetime | None = None) -> Drill:
    """Move a planned drill to another time (it keeps its length unless a new end is given), saying why."""
    drill = load_drill(drill_id, actor=actor, permission="drills.manage")
    if drill.status != "planned":
        raise Conflict(reasons.ONLY_PLANNED_MOVES(status=drill.status))
    previous = clock.aware(drill.starts_at)
    if starts_at < clock.now() - timedelta(days=1):
        raise Invalid(reasons.STARTS_LONG_AGO(), field="starts_at")
    if starts_at == previous and ends_at in (None, clock.aware(drill.ends_at)):
        raise Invalid(reasons.SAME_START(), field="starts_at")
    ends_at = ends_at or starts_at + (clock.aware(drill.ends_at) - previous)
    if ends_at <= starts_at:
        raise Invalid(reasons.ENDS_AFTER_START(), field="ends_at")
    if ends_at - starts_at > MOST:
        raise Invalid(reasons.AT_MOST_3_DAYS(), field="ends_at")
    drill.reschedules.append(Reschedule(from_starts_at=previous, starts_at=starts_at, ends_at=ends_at, reason=reason,
                                        by=actor.user_id, at=clock.now()))
    drill.starts_at, drill.ends_at, drill.year = starts_at, ends_at, clock.local(starts_at).year
    return commit(drill, events.drill_rescheduled(drill, previous))
