"""Who may act on what: the caller's communities and grids, the teams they lead, and loading one object in the
caller's scope (anything outside it answers 404, as if it did not exist).

Permissions are the one table's (shared.permissions). Community staff act for every team of their communities; a
team leader acts for the teams they lead.
"""
import mongoengine as me
from bson import ObjectId

from services.volunteers.models import Certificate, GridCopy, Need, SignupLink, Team, VolunteerRecord
from shared.errors import Forbidden
from shared.identity import Principal
from shared.permissions import COMMUNITY_ROLES
from shared.reasons import volunteers as reasons
from shared.scope import load_in_scope, not_found


def _community_place(obj) -> tuple[str, None]:
    return obj.community_id, None


def in_community(actor: Principal, community_id: str, permission: str) -> None:
    """Refuse unless the caller holds `permission` and covers the whole community (404 when it does not)."""
    actor.require(permission)
    if not actor.covers(community_id=community_id, grid_id=None):
        raise not_found("community", community_id, field="community_id")


def place_filter(actor: Principal, community_id: str, permission: str) -> me.Q:
    """The condition for a list within one community: all of it, or the caller's grids in it."""
    actor.require(permission)
    if actor.covers(community_id=community_id, grid_id=None):
        return me.Q(community_id=community_id)
    grids = [g for g in actor.grid_ids if GridCopy.objects(pk=g, community_id=community_id).first()]
    if not grids:
        raise not_found("community", community_id, field="community_id")
    return me.Q(community_id=community_id, grid_id__in=grids)


def leads(actor: Principal, team_ids) -> bool:
    """True when the caller may act for one of these teams: community staff, or one of its leaders."""
    if actor.role in COMMUNITY_ROLES:
        return True
    if actor.role != "team_leader" or not team_ids:
        return False
    ids = [ObjectId(t) for t in team_ids if ObjectId.is_valid(t)]
    return Team.objects(pk__in=ids, leader_ids=actor.user_id).count() > 0


def leads_in_community(actor: Principal, community_id: str) -> bool:
    """True for community staff, and for a team leader who leads a team of this community."""
    if actor.role in COMMUNITY_ROLES:
        return True
    return actor.role == "team_leader" and Team.objects(community_id=community_id,
                                                         leader_ids=actor.user_id).count() > 0


def require_leads(actor: Principal, team_ids, action: str) -> None:
    """Refuse unless the caller is community staff or leads one of these teams (`action`: what they try)."""
    if not leads(actor, team_ids):
        raise Forbidden(reasons.LEADERS_ONLY(action=action))


def led_team_ids(actor: Principal, community_id: str) -> list[str]:
    """The ids of the community's teams the caller leads."""
    return [str(t) for t in Team.objects(community_id=community_id, leader_ids=actor.user_id).scalar("id")]


# ---- one object in the caller's scope -----------------------------------------------------------------

def volunteer(actor: Principal, volunteer_id: str, permission: str = "volunteers.read") -> VolunteerRecord:
    """A volunteer in the caller's communities or grids."""
    return load_in_scope(VolunteerRecord, volunteer_id, actor=actor, what="volunteer", permission=permission)


def team(actor: Principal, team_id: str, permission: str = "volunteers.read") -> Team:
    """A team of the caller's communities."""
    return load_in_scope(Team, team_id, actor=actor, what="team", permission=permission, place=_community_place,
                         field="team_id")


def need(actor: Principal, need_id: str, permission: str = "volunteers.read") -> Need:
    """A need in the caller's communities or grids."""
    return load_in_scope(Need, need_id, actor=actor, what="need", permission=permission)


def link(actor: Principal, link_id: str, permission: str = "links.manage") -> SignupLink:
    """A sign-up link of the caller's communities (a team leader's: of a team they lead)."""
    def visible(found: SignupLink) -> bool:
        if not actor.covers(community_id=found.community_id, grid_id=None):
            return False
        return actor.role != "team_leader" or bool(found.team_id and leads(actor, [found.team_id]))

    return load_in_scope(SignupLink, link_id, actor=actor, what="link", permission=permission, visible=visible)


def certificate(actor: Principal, certificate_id: str, permission: str = "volunteers.read") -> Certificate:
    """A certificate issued in the caller's communities."""
    return load_in_scope(Certificate, certificate_id, actor=actor, what="certificate", permission=permission,
                         place=_community_place)


def with_volunteer(document: type[me.Document], object_id: str, *, actor: Principal, what: str,
                   permission: str) -> tuple:
    """Something of one volunteer's (a ledger line, a report) and that volunteer, if the caller covers them."""
    owners = []

    def visible(obj) -> bool:
        owners.append(VolunteerRecord.objects(pk=ObjectId(obj.volunteer_id)).first())
        return owners[-1] is not None and actor.covers(community_id=owners[-1].community_id,
                                                       grid_id=owners[-1].grid_id)

    obj = load_in_scope(document, object_id, actor=actor, what=what, permission=permission, visible=visible)
    return obj, owners[-1]
