"""Corrective actions (整改措施) found by a drill: an owner and a due date, tracked until closed."""
from datetime import date

from bson import ObjectId

from services.drills import events
from services.drills.models import Action, Drill, Supply
from services.drills.service.areas import community_query, load_drill
from services.drills.service.shelters import shelters_of
from shared import clock
from shared.errors import Conflict, Forbidden, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import drills as reasons
from shared.scope import load_in_scope

_FIELDS = ("drill_id", "community_id", "grid_id", "title", "detail", "owner_name", "owner_user_id", "due_on",
           "supply_id", "shelter_id", "status", "opened_at", "closed_at", "resolution")


def action_view(a: Action, today: date) -> dict:
    """An action as the API shows it: overdue when open past its due date."""
    return {"id": str(a.pk), **{k: getattr(a, k) for k in _FIELDS}, "overdue": a.status == "open" and a.due_on < today}


def open_action(*, actor: Principal, drill_id: str, data: dict) -> dict:
    """Open a corrective action from a drill, with an owner and a due date."""
    drill = load_drill(drill_id, actor=actor, permission="drills.manage")
    if drill.status == "cancelled":
        raise Conflict(reasons.CANCELLED())
    if drill.status == "planned":
        raise Conflict(reasons.NOT_STARTED())
    if data.get("grid_id") and data["grid_id"] not in drill.grid_ids:
        raise Invalid(reasons.NOT_A_DRILL_GRID(), field="grid_id")
    if data.get("shelter_id"):
        shelters_of(drill.community_id, [data["shelter_id"]], field="shelter_id")
    if data.get("supply_id") and not Supply.objects(pk=ObjectId(data["supply_id"]),
                                                    community_id=drill.community_id).only("id").first():
        raise Invalid(reasons.NO_SUCH_SUPPLY(), field="supply_id")
    today = clock.today()
    if data["due_on"] < today:
        raise Invalid(reasons.DUE_IN_PAST(), field="due_on")
    action = Action(drill_id=str(drill.pk), community_id=drill.community_id, opened_by=actor.user_id, **data)
    return action_view(commit(action, events.action_opened(action)), today)


def list_actions(*, actor: Principal, community_id: str | None = None, drill_id: str | None = None,
                 status: str | None = None, overdue: bool | None = None) -> list[dict]:
    """Corrective actions in scope, soonest due first."""
    actor.require("drills.read")
    query = Action.objects(community_query(actor, community_id)).exclude("outbox")
    if drill_id:
        query = query.filter(drill_id=drill_id)
    if status:
        query = query.filter(status=status)
    today = clock.today()
    actions = list(query.order_by("due_on"))
    drill_grids = {str(d["_id"]): d.get("grid_ids", []) for d in Drill.objects(
        pk__in=list({a.drill_id for a in actions if ObjectId.is_valid(a.drill_id)})).only("grid_ids").as_pymongo()}
    views = [action_view(a, today) for a in actions if _sees(actor, a, drill_grids.get(a.drill_id, []))]
    return [v for v in views if overdue is None or v["overdue"] == overdue]


def _sees(actor: Principal, action: Action, drill_grid_ids: list[str]) -> bool:
    """Community staff see their community's actions; a grid worker those of their grid's drills; owners their own."""
    if actor.covers(community_id=action.community_id, grid_id=None) or action.owner_user_id == actor.user_id:
        return True
    grids = [action.grid_id] if action.grid_id else drill_grid_ids
    return any(g in actor.grid_ids for g in grids)


def _drill_grid_ids(drill_id: str) -> list[str]:
    drill = Drill.objects(pk=drill_id).only("grid_ids").first() if ObjectId.is_valid(drill_id) else None
    return drill.grid_ids if drill else []


def close_action(*, actor: Principal, action_id: str, resolution: str) -> dict:
    """Close a corrective action (community staff, or the owner named on it)."""
    action = load_in_scope(Action, action_id, actor=actor, what="action", permission="drills.read",
                           visible=lambda a: _sees(actor, a, _drill_grid_ids(a.drill_id)))
    staff = actor.may("drills.manage") and actor.covers(community_id=action.community_id, grid_id=None)
    owner = bool(action.owner_user_id) and action.owner_user_id == actor.user_id
    if not (staff or owner):
        raise Forbidden(reasons.CLOSE_STAFF_OR_OWNER())
    if action.status == "closed":
        raise Conflict(reasons.ACTION_CLOSED())
    action.status, action.closed_at, action.closed_by, action.resolution = "closed", clock.now(), actor.user_id, resolution
    return action_view(commit(action, events.action_closed(action)), clock.today())
