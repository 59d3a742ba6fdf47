"""Streets, communities and grids (the hierarchy a household is registered in), with each grid's figures."""
import mongoengine as me

from services.households import events
from services.households.config import SETTINGS
from services.households.models import Community, Grid, GridSummary, Street
from services.households.service.access import community_scope_query, scope_query
from services.households.service.figures import band_of, community_figures
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


def list_communities(*, actor: Principal, street_id: str | None = None, figures: bool = False) -> list:
    """Communities the caller can see (a street's staff: every community of their streets), with their figures
    and staffing when `figures`."""
    actor.require("register.figures")
    query = Community.objects.order_by("street_id", "id")
    if street_id:
        query = query.filter(street_id=street_id)
    communities = list(query.filter(community_scope_query(actor)))
    if not figures:
        return communities
    counts = community_figures([c.pk for c in communities])
    return [{**community_view(c), **counts[c.pk]} for c in communities]


def community_view(community: Community) -> dict:
    return {"id": community.pk, "name": community.name, "street_id": community.street_id, "kind": community.kind}


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


def update_grid(*, actor: Principal, grid_id: str, data: dict) -> dict:
    """Assign a grid's workers (`worker_ids`, counted by the community's staffing; `worker_name` as shown)."""
    grid = load_in_scope(Grid, grid_id, actor=actor, what="grid", permission="grids.manage")
    for key in ("worker_name", "worker_ids"):
        if key in data:
            setattr(grid, key, list(dict.fromkeys(data[key])) if key == "worker_ids" else data[key])
    commit(grid)
    return get_grid(actor=actor, grid_id=grid.pk)


def _grid_view(grid: Grid, summary: GridSummary | None) -> dict:
    count = summary.households if summary else 0
    return {"id": grid.pk, "name": grid.name, "community_id": grid.community_id, "worker_name": grid.worker_name,
            "worker_ids": list(grid.worker_ids or []), "households": count, "band": band_of(count),
            "band_min": SETTINGS.GRID_BAND_MIN, "band_max": SETTINGS.GRID_BAND_MAX,
            "care_residents": dict(summary.care_residents) if summary else {},
            "care_households_overdue": summary.care_households_overdue if summary else 0}
