"""Streets (街道/镇) above the communities: listed and renamed, a street's overview, and the names every page shows
for a street, community or grid id."""

from services.households.config import SETTINGS
from services.households.models import Community, Grid, Street
from services.households.service.access import community_scope_query, scope_query
from services.households.service.figures import community_figures
from services.households.service.grids import community_view
from shared.errors import Invalid
from shared.identity import Principal
from shared.reasons import households as reasons
from shared.scope import load_in_scope

MAX_PLACES = 200  # ids one names request may ask for


def _sees_street(actor: Principal):
    return lambda street: actor.district_wide or street.pk in actor.street_ids


def list_streets(*, actor: Principal) -> list[Street]:
    """Streets the caller can see: every one for the district's roles, their own for a street's staff."""
    actor.require("streets.read")
    query = Street.objects.order_by("id")
    return list(query if actor.district_wide else query.filter(pk__in=list(actor.street_ids)))


def get_street(*, actor: Principal, street_id: str) -> Street:
    """One street in the caller's scope, else 404."""
    return load_in_scope(Street, street_id, actor=actor, what="street", permission="streets.read",
                         visible=_sees_street(actor))


def update_street(*, actor: Principal, street_id: str, data: dict) -> Street:
    """Rename a street or move it to another district (the district's admin)."""
    actor.require("streets.manage")
    street = get_street(actor=actor, street_id=street_id)
    for key in ("name", "district"):
        if key in data:
            setattr(street, key, data[key])
    street.save()
    return street


def update_community(*, actor: Principal, community_id: str, data: dict) -> dict:
    """Rename a community, change its kind, or place it under another street (the district's admin)."""
    actor.require("streets.manage")
    community = load_in_scope(Community, community_id, actor=actor, what="community",
                              visible=lambda _c: actor.district_wide)
    if "street_id" in data and not Street.objects(pk=data["street_id"]).first():
        raise Invalid(reasons.NO_SUCH_STREET(), field="street_id")
    for key in ("name", "kind", "street_id"):
        if key in data:
            setattr(community, key, data[key])
    community.save()
    return community_view(community)


def street_overview(*, actor: Principal, street_id: str) -> dict:
    """A street with each of its communities as a row: grids against the band, households, care households
    overdue a visit, and staffing (grid workers against the rule); totals for the street."""
    street = get_street(actor=actor, street_id=street_id)
    communities = list(Community.objects(street_id=street.pk).order_by("id"))
    counts = community_figures([c.pk for c in communities])
    rows = [{**community_view(c), **counts[c.pk]} for c in communities]
    summed = ("grids", "households", "grids_below", "grids_within", "grids_above", "care_households_overdue",
              "workers", "workers_required")
    totals = {key: sum(row[key] for row in rows) for key in summed}
    totals["communities_understaffed"] = sum(row["understaffed"] for row in rows)
    return {"id": street.pk, "name": street.name, "district": street.district, "communities": rows,
            "totals": totals, "staffing": {"per_worker": SETTINGS.GRID_WORKER_HOUSEHOLDS,
                                           "minimum": SETTINGS.GRID_WORKERS_MIN}}


def place_names(*, actor: Principal, ids: list[str]) -> list[dict]:
    """The names of streets, communities and grids by id (names only: what every page shows instead of codes),
    within the caller's area: their grids and communities, the streets above them, a street's communities."""
    actor.require("places.read")
    wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))[:MAX_PLACES]
    streets = Street.objects(pk__in=wanted).only("id", "name")
    communities = Community.objects(pk__in=wanted).only("id", "name", "street_id")
    grids = Grid.objects(pk__in=wanted).only("id", "name", "community_id")
    if not actor.district_wide:
        in_area = community_scope_query(actor)
        communities = communities.filter(in_area)
        streets = streets.filter(pk__in=list(set(actor.street_ids) | set(Community.objects(in_area).distinct("street_id"))))
        grids = grids.filter(scope_query(actor, grid_field="pk"))
    return ([{"id": s.pk, "kind": "street", "name": s.name} for s in streets]
            + [{"id": c.pk, "kind": "community", "name": c.name, "street_id": c.street_id} for c in communities]
            + [{"id": g.pk, "kind": "grid", "name": g.name, "community_id": g.community_id} for g in grids])
