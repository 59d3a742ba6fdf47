"""Volunteers who come to help at a drill: checked in and out, their hours credited when the drill ends."""
from datetime import datetime

import mongoengine as me

from services.drills import rules
from services.drills.models import Checkin, Drill, Volunteer
from services.drills.service.areas import load_drill
from shared import clock
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.reasons import drills as reasons


def _view(c: Checkin, drill: Drill) -> dict:
    return {"drill_id": c.drill_id, "volunteer_id": c.volunteer_id, "name": c.name, "checked_in_at": c.checked_in_at,
            "checked_out_at": c.checked_out_at,
            "hours": rules.hours(clock.aware(c.checked_in_at), clock.aware(c.checked_out_at),
                                 clock.aware(drill.ended_at), clock.now())}


def drill_checkins(drill: Drill) -> list[dict]:
    """The drill's check-ins with their hours so far (to the end, once it ended)."""
    return [_view(c, drill) for c in Checkin.objects(drill_id=str(drill.pk)).order_by("checked_in_at")]


def check_in(*, actor: Principal, drill_id: str, volunteer_id: str, at: datetime | None = None) -> tuple[dict, bool]:
    """Check a volunteer in at a drill (again: the first check-in stands). Returns (check-in, created)."""
    drill = load_drill(drill_id, actor=actor, permission="drills.checkin")
    if drill.status == "completed":
        raise Conflict(reasons.ENDED())
    if drill.status == "cancelled":
        raise Conflict(reasons.CANCELLED())
    volunteer = Volunteer.objects(pk=volunteer_id, active=True).first()
    if volunteer is None:
        raise Invalid(reasons.NO_ACTIVE_VOLUNTEER(), field="volunteer_id")
    at = min(at or clock.now(), clock.now())
    checkin = Checkin(id=f"{drill.pk}:{volunteer_id}", drill_id=str(drill.pk), community_id=drill.community_id,
                      volunteer_id=volunteer_id, name=volunteer.name, checked_in_at=at, by=actor.user_id)
    try:
        checkin.save(force_insert=True)
        created = True
    except me.NotUniqueError:
        checkin, created = Checkin.objects.get(pk=checkin.pk), False
    return _view(checkin, drill), created


def check_out(*, actor: Principal, drill_id: str, volunteer_id: str, at: datetime | None = None) -> dict:
    """Check a volunteer out (once: a second check-out keeps the first)."""
    drill = load_drill(drill_id, actor=actor, permission="drills.checkin")
    checkin = Checkin.objects(pk=f"{drill.pk}:{volunteer_id}").first()
    if checkin is None:
        raise NotFound(reasons.NOT_CHECKED_IN(), field="volunteer_id")
    at = min(at or clock.now(), clock.now(), clock.aware(drill.ended_at) or clock.now())
    if at < clock.aware(checkin.checked_in_at):
        raise Invalid(reasons.OUT_BEFORE_IN(), field="at")
    Checkin._get_collection().update_one({"_id": checkin.pk, "checked_out_at": None}, {"$set": {"checked_out_at": at}})
    checkin.reload()
    return _view(checkin, drill)


def list_checkins(*, actor: Principal, drill_id: str) -> list[dict]:
    """Volunteers checked in at a drill, with their hours so far."""
    return drill_checkins(load_drill(drill_id, actor=actor))
