"""Who sees what: a grid or household loaded in the caller's scope, and the condition that keeps a list there."""
import mongoengine as me

from services.households.models import Grid, Household
from shared.identity import Principal
from shared.scope import load_in_scope


def grid_in_scope(actor: Principal, grid_id: str, permission: str = "register.read") -> Grid:
    """The grid if the caller may see it and holds `permission`, else 404 (on the field grid_id)."""
    return load_in_scope(Grid, grid_id, actor=actor, what="grid", permission=permission, field="grid_id")


def household_in_scope(actor: Principal, household_id: str, permission: str = "register.read") -> Household:
    """The household if the caller may see it and holds `permission`, else 404."""
    return load_in_scope(Household, household_id, actor=actor, what="household", permission=permission)


def scope_query(actor: Principal, grid_field: str = "grid_id") -> me.Q:
    """The condition that keeps a list within the caller's grids and communities."""
    if actor.district_wide:
        return me.Q()
    return me.Q(**{f"{grid_field}__in": list(actor.grid_ids)}) | me.Q(community_id__in=list(actor.community_ids))


def community_scope_query(actor: Principal) -> me.Q:
    """The condition that keeps a list of communities within the caller's area: their communities, those of their
    grids, and every community of their streets."""
    if actor.district_wide:
        return me.Q()
    of_grids = Grid.objects(pk__in=list(actor.grid_ids)).distinct("community_id")
    return me.Q(pk__in=list(set(actor.community_ids) | set(of_grids))) | me.Q(street_id__in=list(actor.street_ids))
