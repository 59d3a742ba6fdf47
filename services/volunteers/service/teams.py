"""Volunteer teams: founded by community staff, led by team leaders, with volunteers as members."""
import mongoengine as me

from services.volunteers import events
from services.volunteers.models import Team, VolunteerRecord
from services.volunteers.service import access
from shared.clock import aware, now
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import volunteers as reasons


def _team_view(team: Team) -> dict:
    return {"id": str(team.pk), "community_id": team.community_id, "name": team.name,
            "description": team.description, "leader_ids": team.leader_ids, "created_at": aware(team.created_at),
            "members": VolunteerRecord.objects(team_ids=str(team.pk), status="registered").count()}


def create_team(*, actor: Principal, data: dict) -> dict:
    """Found a volunteer team in a community."""
    access.in_community(actor, data["community_id"], "teams.manage")
    team = Team(community_id=data["community_id"], name=data["name"].strip(), description=data.get("description"),
                leader_ids=list(dict.fromkeys(data.get("leader_ids", []))), created_by=actor.user_id)
    try:
        commit(team, events.team_created(team))
    except me.NotUniqueError:
        raise Conflict(reasons.TEAM_NAME_TAKEN(), field="name") from None
    return _team_view(team)


def list_teams(*, actor: Principal, community_id: str) -> list[dict]:
    """The community's teams with their member counts."""
    access.in_community(actor, community_id, "volunteers.read")
    return [_team_view(t) for t in Team.objects(community_id=community_id).exclude("outbox").order_by("name")]


def led_teams(*, actor: Principal) -> list[dict]:
    """The teams the caller leads (a team leader's "my team" page)."""
    actor.require("volunteers.read")
    teams = Team.objects(leader_ids=actor.user_id).exclude("outbox").order_by("community_id", "name")
    return [_team_view(t) for t in teams if actor.covers(community_id=t.community_id, grid_id=None)]


def get_team(*, actor: Principal, team_id: str) -> dict:
    """One team."""
    return _team_view(access.team(actor, team_id))


def set_leaders(*, actor: Principal, team_id: str, leader_ids: list[str]) -> dict:
    """Name the team's leaders (user ids of team leaders)."""
    team = access.team(actor, team_id, "teams.manage")
    team.leader_ids = list(dict.fromkeys(leader_ids))
    commit(team)
    return _team_view(team)


def _membership(actor: Principal, team_id: str, volunteer_id: str) -> tuple[Team, VolunteerRecord]:
    team = access.team(actor, team_id, "volunteers.manage")
    access.require_leads(actor, [team_id], "change this team")
    v = access.volunteer(actor, volunteer_id, "volunteers.manage")
    if v.community_id != team.community_id:
        raise Invalid(reasons.VOLUNTEER_OF_OTHER_COMMUNITY(), field="volunteer_id")
    if v.status == "left":
        raise Conflict(reasons.HAS_LEFT(), field="volunteer_id")
    return team, v


def _set_teams(v: VolunteerRecord, team_ids: list[str], by: str) -> VolunteerRecord:
    v.team_ids = team_ids
    v.updated_at, v.updated_by = now(), by
    return commit(v, *([events.volunteer_updated(v)] if v.status == "registered" else []))


def add_member(*, actor: Principal, team_id: str, volunteer_id: str) -> VolunteerRecord:
    """Put a volunteer in a team (volunteers may belong to several)."""
    team, v = _membership(actor, team_id, volunteer_id)
    if str(team.pk) not in v.team_ids:
        _set_teams(v, [*v.team_ids, str(team.pk)], actor.user_id)
    return v


def remove_member(*, actor: Principal, team_id: str, volunteer_id: str) -> VolunteerRecord:
    """Take a volunteer out of a team."""
    team, v = _membership(actor, team_id, volunteer_id)
    if str(team.pk) in v.team_ids:
        _set_teams(v, [t for t in v.team_ids if t != str(team.pk)], actor.user_id)
    return v
