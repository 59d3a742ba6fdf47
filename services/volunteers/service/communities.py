"""Communities: their names as residents see them, their grids, and their figures against the targets."""
from datetime import date, timedelta

from services.volunteers.config import SETTINGS
from services.volunteers.models import (
    ACTIVE_DAYS,
    CommunityCopy,
    GridCopy,
    HoursEntry,
    Need,
    Team,
    VolunteerRecord,
)
from services.volunteers.register_copy import counted
from services.volunteers.rules import volunteer_target
from services.volunteers.service.access import in_community
from services.volunteers.service.hours import hours_sum
from shared import clock
from shared.figures import percent
from shared.identity import Principal


def list_communities(*, actor: Principal) -> list[CommunityCopy]:
    """Communities the caller can see, with their resident counts."""
    actor.require("volunteers.figures")
    if actor.district_wide:
        return list(CommunityCopy.objects.order_by("id"))
    ids = set(actor.community_ids) | set(GridCopy.objects(pk__in=list(actor.grid_ids)).distinct("community_id"))
    known = {c.pk: c for c in CommunityCopy.objects(pk__in=list(ids))}
    return [known.get(i) or CommunityCopy(id=i) for i in sorted(ids)]


def name_community(*, actor: Principal, community_id: str, name: str) -> CommunityCopy:
    """Set the community's name as residents see it on sign-up pages and certificates."""
    in_community(actor, community_id, "communities.manage")
    CommunityCopy.objects(pk=community_id).update_one(set__name=name, upsert=True)
    return CommunityCopy.objects.get(pk=community_id)


def list_grids(*, actor: Principal, community_id: str) -> list[GridCopy]:
    """The community's grids, as known from households events."""
    in_community(actor, community_id, "volunteers.figures")
    return list(GridCopy.objects(community_id=community_id).order_by("id"))


def community_figures(*, actor: Principal, community_id: str) -> dict:
    """The community's volunteer figures against the targets (VOLUNTEER_SHARE_TARGET of residents,
    VOLUNTEER_TEAMS_TARGET teams)."""
    in_community(actor, community_id, "volunteers.figures")
    c = counted(community_id)
    today = clock.today()
    volunteers = VolunteerRecord.objects(community_id=community_id, status="registered").count()
    share, team_target = SETTINGS.VOLUNTEER_SHARE_TARGET, SETTINGS.VOLUNTEER_TEAMS_TARGET
    target = volunteer_target(c.residents or 0, share=share)
    teams = Team.objects(community_id=community_id).count()
    active = len(HoursEntry.objects(community_id=community_id, served_on__gte=today - timedelta(days=ACTIVE_DAYS),
                                    delta__gt=0).distinct("volunteer_id"))
    return {
        "community_id": community_id, "community_name": c.display_name, "residents": c.residents or 0,
        "volunteers": volunteers, "volunteer_target": target, "volunteer_share_target": share,
        "volunteers_vs_target": round(volunteers / target, 3) if target else None,
        "share": percent(volunteers, c.residents or 0),
        "waitlisted": VolunteerRecord.objects(community_id=community_id, status="waitlisted").count(),
        "teams": teams, "team_target": team_target, "active_volunteers_90d": active,
        "hours_this_year": hours_sum(community_id=community_id, served_on__gte=date(today.year, 1, 1)),
        "needs_open": Need.objects(community_id=community_id, status="open").count(),
        "meets_volunteer_target": target > 0 and volunteers >= target, "meets_team_target": teams >= team_target,
    }
