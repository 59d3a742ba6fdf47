"""The mediators' roster: who mediates in which community (人民调解员)."""
from services.mediation.models import Mediator, RegisterGrid
from shared.clock import now
from shared.errors import Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.reasons import mediation as reasons
from shared.scope import not_found


def enrol_self(*, actor: Principal) -> Mediator:
    """A mediator puts themselves on the roster with the communities their signed identity carries."""
    if actor.role != "mediator":
        raise Forbidden(reasons.MEDIATORS_ONLY())
    if not actor.community_ids:
        raise Invalid(reasons.NO_COMMUNITY(), field="community_ids")
    m = Mediator(id=actor.user_id, name=actor.name or actor.user_id, community_ids=sorted(actor.community_ids),
                 active=True, updated_at=now(), updated_by=actor.user_id)
    m.save()
    return m


def put_mediator(*, actor: Principal, user_id: str, name: str, community_ids: list[str], active: bool = True) -> Mediator:
    """Staff put a mediator on their communities' roster (other communities' entries are left alone)."""
    actor.require("mediators.manage")
    outside = [c for c in community_ids if not actor.covers(community_id=c, grid_id=None)]
    if outside:
        raise not_found("community", outside[0], field="community_ids")
    m = Mediator.objects(pk=user_id).first() or Mediator(id=user_id)
    mine = {c for c in m.community_ids if actor.covers(community_id=c, grid_id=None)}
    m.community_ids = sorted((set(m.community_ids) - mine) | set(community_ids))
    m.name, m.active, m.updated_at, m.updated_by = name, active, now(), actor.user_id
    m.save()
    return m


def list_mediators(*, actor: Principal, community_id: str) -> list[Mediator]:
    """Active mediators of a community in the caller's scope."""
    actor.require("disputes.read")
    if not actor.covers(community_id=community_id, grid_id=None) and not (
            actor.grid_ids and RegisterGrid.objects(pk__in=list(actor.grid_ids), community_id=community_id).first()):
        raise NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")
    return list(Mediator.objects(community_ids=community_id, active=True).order_by("name"))
