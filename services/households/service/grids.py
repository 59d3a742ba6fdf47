"""Streets, communities and grids (the hierarchy a household is registered in), with each grid's figures."""
import mongoengine as me

from services.households import events, rules
from services.households.models import Community, Grid, GridSummary, Street
from services.households.service.access import scope_query
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import households as reasons
from shared.scope import load_in_scope


def create_street(*, actor: Principal, data: dict) -> Street:
    """Add a street or town."""
    if actor.role != "admin":
        raise Forbidden(reasons.ONLY_ADMIN_STREETS())
    return _insert_new(Street(**data), taken=reasons.STREET_EXISTS(id=data["id"]))


def create_community(*, actor: Principal, data: dict) -> Community:
    """Add a community or village under a street."""
    if actor.role != "admin":
        raise Forbidden(reasons.ONLY_ADMIN_COMMUNITIES())
    if not Street.objects(pk=data["street_id"]).first():
        raise Invalid(reasons.NO_SUCH_STREET(), field="street_id")
    return _insert_new(Community(**data), taken=reasons.COMMUNITY_EXISTS(id=data["id"]))


def _insert_new(document: Street | Community, *, taken) -> Street | Community:
    """Save a new street or community; an id already taken is a Conflict on `id`."""
    try:
        document.save(force_insert=True)
    except me.NotUniqueError:
        raise Conflict(taken, field="id") from None
    return document


def list_communities(*, actor: Principal) -> list[Community]:
    """Communities the caller can see."""
    actor.require("register.figures")
    query = Community.objects.order_by("id")
    if actor.district_wide:
        return list(query)
    grid_communities = Grid.objects(pk__in=list(actor.grid_ids)).distinct("community_id")
    return list(query.filter(pk__in=list(set(actor.community_ids) | set(grid_communities))))


def create_grid(*, actor: Principal, data: dict) -> Grid:
    """Draw a new grid in a community."""
    actor.require("grids.manage")
    if not actor.covers(community_id=data["community_id"], grid_id=None):
        raise NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")
    if not Community.objects(pk=data["community_id"]).first():
        raise Invalid(reasons.NO_SUCH_COMMUNITY(), field="community_id")
    grid = Grid(**data, created_by=actor.user_id)
    try:
        commit(grid, events.grid_created(grid))
    except me.NotUniqueError:
        raise Conflict(reasons.GRID_EXISTS(id=data["id"]), field="id") from None
    GridSummary(id=grid.pk, community_id=grid.community_id).save()
    return grid


def list_grids(*, actor: Principal, community_id: str | None = None) -> list[dict]:
    """Grids in scope with their size, band and overdue care visits."""
    actor.require("register.figures")
    where = scope_query(actor, grid_field="pk")
    if community_id:
        where &= me.Q(community_id=community_id)
    grids = Grid.objects(where)
    summaries = {s.pk: s for s in GridSummary.objects(pk__in=[g.pk for g in grids])}
    return [_grid_view(g, summaries.get(g.pk)) for g in grids.order_by("community_id", "id")]


def get_grid(*, actor: Principal, grid_id: str) -> dict:
    """One grid with its figures."""
    grid = load_in_scope(Grid, grid_id, actor=actor, what="grid", permission="register.figures")
    return _grid_view(grid, GridSummary.objects(pk=grid.pk).first())


def _grid_view(grid: Grid, summary: GridSummary | None) -> dict:
    count = summary.households if summary else 0
    return {"id": grid.pk, "name": grid.name, "community_id": grid.community_id, "worker_name": grid.worker_name,
            "households": count, "band": rules.band(count),
            "care_residents": dict(summary.care_residents) if summary else {},
            "care_households_overdue": summary.care_households_overdue if summary else 0}
