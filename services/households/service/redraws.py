"""Redrawing grids: buildings or households moved to another (or a new) grid in one stored operation."""
import mongoengine as me
from bson import ObjectId

from services.households import events, rules
from services.households.models import Grid, HistoryEntry, Household, Redraw
from services.households.service.access import grid_in_scope
from services.households.service.figures import refresh_summary
from services.households.service.grids import create_grid
from services.households.service.network import drop_from_network
from services.households.service.visits import follow_household
from shared.clock import now
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import households as reasons


def redraw(*, actor: Principal, grid_id: str, to_grid_id: str, buildings: list[str], household_ids: list[str],
           reason: str, new_grid_name: str | None = None) -> Redraw:
    """Move buildings or households to another (or a new) grid in one operation."""
    source = grid_in_scope(actor, grid_id, "grids.manage")
    target = Grid.objects(pk=to_grid_id).first()
    if target is None:
        if not new_grid_name:
            raise NotFound(reasons.NO_GRID_GIVE_NAME(), field="to_grid_id")
    elif not actor.covers(community_id=target.community_id, grid_id=target.pk):
        raise NotFound(reasons.NO_SUCH_GRID(), field="to_grid_id")
    if to_grid_id == source.pk:
        raise Invalid(reasons.SAME_GRID(), field="to_grid_id")
    chosen = Household.objects(grid_id=source.pk, status="active").filter(
        me.Q(address__building__in=buildings) | me.Q(pk__in=[ObjectId(i) for i in household_ids if ObjectId.is_valid(i)]))
    moving = list(chosen.only("id", "address_sort"))
    found = {str(h.pk) for h in moving}
    missing = [i for i in household_ids if i not in found]
    if missing:
        raise Invalid(reasons.NOT_ACTIVE_IN_GRID(id=source.pk, list=", ".join(missing[:10])), field="household_ids")
    if not moving:
        raise Invalid(reasons.NONE_IN_BUILDINGS(), field="buildings")
    clashes = Household.objects(active_address__in=[rules.active_address(to_grid_id, h.address_sort)
                                                    for h in moving]).count()
    if clashes:
        raise Conflict(reasons.ADDRESSES_TAKEN(n=clashes, id=to_grid_id), field="to_grid_id")
    if target is None:
        target = create_grid(actor=actor, data={"id": to_grid_id, "name": new_grid_name,
                                                "community_id": source.community_id})
    op = Redraw(from_grid_id=source.pk, to_grid_id=target.pk, household_ids=sorted(found), reason=reason,
                by=actor.user_id)
    commit(op, events.grid_redrawn(op, target.community_id))
    return apply_redraw(redraw_id=str(op.pk))


def apply_redraw(*, redraw_id: str) -> Redraw:
    """Carry out a stored redraw; safe to run again after a crash part-way."""
    op = Redraw.objects(pk=ObjectId(redraw_id)).first()
    target = Grid.objects(pk=op.to_grid_id).first()
    entry = HistoryEntry(at=now(), action="redrawn", by=op.by,
                         detail={"from_grid_id": op.from_grid_id, "to_grid_id": op.to_grid_id,
                                 "redraw_id": redraw_id}).to_mongo()
    for h in Household.objects(pk__in=[ObjectId(i) for i in op.household_ids], grid_id=op.from_grid_id) \
            .only("id", "address_sort"):
        Household._get_collection().update_one(
            {"_id": h.pk, "grid_id": op.from_grid_id},
            {"$set": {"grid_id": target.pk, "community_id": target.community_id,
                      "active_address": rules.active_address(target.pk, h.address_sort), "updated_at": now(), "updated_by": op.by},
             "$push": {"history": entry}, "$inc": {"version": 1}})
    # Open follow-ups move with their households, and both grids' summaries (overdue care households included)
    # are recounted now: the grid.redrawn event went out before the households moved.
    follow_household(household_ids=op.household_ids)
    for household_id in op.household_ids:  # out of the old grid's ten-household groups
        drop_from_network(household_id=household_id)
    for grid_id in (op.from_grid_id, op.to_grid_id):
        refresh_summary(grid_id=grid_id)
    Redraw.objects(pk=op.pk).update_one(set__status="applied")
    op.reload()
    return op
