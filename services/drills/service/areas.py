"""Which communities, grids and drills a caller reaches; anything else answers 404, as if it did not exist."""
import mongoengine as me

from services.drills.models import Drill, Grid
from shared.errors import NotFound
from shared.identity import Principal
from shared.reasons import drills as reasons
from shared.scope import load_in_scope


def visible_communities(actor: Principal) -> set[str] | None:
    """Communities the caller may read about (theirs and those of their grids); None means all of them."""
    if actor.district_wide:
        return None
    grids = set(Grid.objects(pk__in=list(actor.grid_ids)).distinct("community_id")) if actor.grid_ids else set()
    return set(actor.community_ids) | grids


def sees_community(actor: Principal, community_id: str) -> bool:
    """True when the caller may read about `community_id`."""
    seen = visible_communities(actor)
    return seen is None or community_id in seen


def community_not_found() -> NotFound:
    """The 404 for a community outside the caller's area (to raise)."""
    return NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")


def community_query(actor: Principal, community_id: str | None) -> me.Q:
    """The caller's communities as a query (one of them when `community_id` is given; 404 outside them)."""
    seen = visible_communities(actor)
    if community_id:
        if seen is not None and community_id not in seen:
            raise community_not_found()
        return me.Q(community_id=community_id)
    return me.Q() if seen is None else me.Q(community_id__in=sorted(seen))


def manage(actor: Principal, community_id: str) -> None:
    """Refuse unless the caller manages drills for the whole of `community_id`."""
    actor.require("drills.manage")
    if not actor.covers(community_id=community_id, grid_id=None):
        raise community_not_found()


def community_object(document, object_id: str, *, actor: Principal, what: str, permission: str):
    """A plan, shelter or supply item: to manage it, the caller covers its community; else they may see it."""
    visible = None if permission == "drills.manage" else (lambda obj: sees_community(actor, obj.community_id))
    return load_in_scope(document, object_id, actor=actor, what=what, permission=permission, visible=visible)


def load_drill(drill_id: str, *, actor: Principal, permission: str = "drills.read", only: tuple[str, ...] = ()) -> Drill:
    """The drill, if the caller covers its community (to manage it) or one of its grids (for anything else)."""
    def visible(drill: Drill) -> bool:
        whole = actor.covers(community_id=drill.community_id, grid_id=None)
        return whole if permission == "drills.manage" else whole or any(g in actor.grid_ids for g in drill.grid_ids)

    return load_in_scope(Drill, drill_id, actor=actor, what="drill", permission=permission, visible=visible, only=only)


def drill_grid(drill_id: str, grid_id: str, *, actor: Principal, permission: str, only: tuple[str, ...] = ()) -> Drill:
    """The drill, if `grid_id` is one of its grids and within the caller's scope (404 otherwise)."""
    drill = load_drill(drill_id, actor=actor, permission=permission, only=only)
    if grid_id not in drill.grid_ids or not actor.covers(community_id=drill.community_id, grid_id=grid_id):
        raise NotFound(reasons.GRID_NOT_IN_DRILL(grid_id=grid_id))
    return drill


def covered_grids(actor: Principal, drill: Drill) -> list[str]:
    """The drill's grids the caller covers."""
    if actor.covers(community_id=drill.community_id, grid_id=None):
        return list(drill.grid_ids)
    return [g for g in drill.grid_ids if g in actor.grid_ids]
