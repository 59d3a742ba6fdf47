"""Visits to households and the follow-ups they call for."""
from datetime import timedelta

import mongoengine as me
from bson import ObjectId

from services.households import events
from services.households.models import Household, Visit
from services.households.service.access import grid_in_scope, household_in_scope
from shared import clock
from shared.clock import now
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import households as reasons
from shared.scope import load_in_scope


def log_visit(*, actor: Principal, household_id: str, data: dict) -> tuple[Visit, bool]:
    """Log a visit; a resend with the same client_id returns the stored one. Returns (visit, created)."""
    h = household_in_scope(actor, household_id, "visits.write")
    if data.get("client_id"):
        stored = Visit.objects(client_id=data["client_id"]).first()
        if stored:
            if stored.household_id != str(h.pk):
                raise Conflict(reasons.CLIENT_ID_TAKEN(), field="client_id")
            return stored, False
    if data["visited_at"] > clock.now() + timedelta(minutes=10):
        raise Invalid(reasons.IN_THE_FUTURE(), field="visited_at")
    visit = Visit(household_id=str(h.pk), community_id=h.community_id, grid_id=h.grid_id, visited_in_grid_id=h.grid_id,
                  visitor_id=actor.user_id, visitor_name=actor.name, **data)
    try:
        commit(visit, events.visit_logged(visit))
    except me.NotUniqueError:
        return Visit.objects(client_id=data["client_id"]).first(), False
    return visit, True


def list_visits(*, actor: Principal, household_id: str) -> list[Visit]:
    """A household's visits, newest first."""
    h = household_in_scope(actor, household_id)
    return list(Visit.objects(household_id=str(h.pk)).exclude("outbox").order_by("-visited_at"))


def open_follow_ups(*, actor: Principal, grid_id: str) -> list[Visit]:
    """Visits whose follow-up is still to be done, oldest first."""
    grid = grid_in_scope(actor, grid_id)
    return list(Visit.objects(grid_id=grid.pk, follow_up_needed=True, follow_up_done_at=None)
                .exclude("outbox").order_by("visited_at"))


def complete_follow_up(*, actor: Principal, visit_id: str) -> Visit:
    """Mark a visit's follow-up as done."""
    visit = load_in_scope(Visit, visit_id, actor=actor, what="visit", permission="visits.write")
    if not visit.follow_up_needed or visit.follow_up_done_at:
        raise Conflict(reasons.NO_OPEN_FOLLOW_UP())
    visit.follow_up_done_at = now()
    return commit(visit)


def follow_household(*, household_ids: list[str]) -> int:
    """Open follow-ups go where their household now lives (after a move or a redraw); idempotent, and safe to run
    late or twice, since it reads the household's grid as it is now. A done follow-up or a visit without one keeps
    the grid it was made in. Returns how many follow-ups moved."""
    moved = 0
    ids = [ObjectId(i) for i in household_ids if ObjectId.is_valid(i)]
    for h in Household.objects(pk__in=ids).only("id", "grid_id", "community_id"):
        open_elsewhere = {"household_id": str(h.pk), "follow_up_needed": True, "follow_up_done_at": None,
                          "grid_id": {"$ne": h.grid_id}}
        collection = Visit._get_collection()
        for row in collection.find(open_elsewhere, {"grid_id": 1, "visited_in_grid_id": 1}):
            # the grid it was made in is kept (a visit logged before that was recorded has only grid_id)
            moved += collection.update_one({**open_elsewhere, "_id": row["_id"]}, {"$set": {
                "grid_id": h.grid_id, "community_id": h.community_id,
                "visited_in_grid_id": row.get("visited_in_grid_id") or row["grid_id"]}}).modified_count
    return moved
