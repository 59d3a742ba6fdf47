"""Business figures operators watch: volunteers vs their target share of residents (VOLUNTEER_SHARE_TARGET, 10 %),
teams (target VOLUNTEER_TEAMS_TARGET, 5), open needs by age, hours."""
from datetime import date, datetime, timedelta

from services.volunteers.models import CommunityCopy, HoursEntry, Need, Team, VolunteerRecord
from services.volunteers.rules import volunteer_target
from shared import clock
from shared.metrics_refresh import Figures, refreshed_gauge

VOLUNTEERS = refreshed_gauge("grid_volunteers", "Registered volunteers per community", ["community_id"])
TARGET = refreshed_gauge(
    "grid_volunteer_target", "Volunteers wanted per community: VOLUNTEER_SHARE_TARGET of its residents",
    ["community_id"])
TEAMS = refreshed_gauge(
    "grid_volunteer_teams", "Volunteer teams per community (target: VOLUNTEER_TEAMS_TARGET)", ["community_id"])
WAITLISTED = refreshed_gauge("grid_volunteers_waitlisted", "Sign-ups on a waiting list per community", ["community_id"])
NEEDS_OPEN = refreshed_gauge(
    "grid_volunteer_needs_open", "Open volunteer needs by how long they have been open",
    ["community_id", "age_bucket"])
HOURS_YEAR = refreshed_gauge(
    "grid_volunteer_hours_year", "Volunteer service hours recorded this year per community",
    ["community_id"])
ACTIVE = refreshed_gauge(
    "grid_volunteers_active_90d", "Volunteers with service recorded in the last 90 days",
    ["community_id"])

BUCKETS = ((7, "0-7d"), (30, "7-30d"), (None, "30d+"))


def age_bucket(opened_at: datetime, at: datetime) -> str:
    days = (at - clock.aware(opened_at)).total_seconds() / 86400
    for limit, label in BUCKETS:
        if limit is None or days < limit:
            return label
    return BUCKETS[-1][1]


def _by_community(model, match: dict, value="$sum", field=1) -> dict:
    rows = model._get_collection().aggregate([{"$match": match},
                                              {"$group": {"_id": "$community_id", "n": {value: field}}}])
    return {row["_id"]: row["n"] for row in rows}


def refresh() -> None:
    """Set the gauges from the database (a community gone loses its labels)."""
    out = Figures(VOLUNTEERS, TARGET, TEAMS, WAITLISTED, NEEDS_OPEN, HOURS_YEAR, ACTIVE)
    today = clock.today()
    residents = {row["_id"]: row.get("residents", 0)
                 for row in CommunityCopy._get_collection().find({}, {"residents": 1})}
    volunteers = _by_community(VolunteerRecord, {"status": "registered"})
    waitlisted = _by_community(VolunteerRecord, {"status": "waitlisted"})
    teams = _by_community(Team, {})
    start = datetime.combine(date(today.year, 1, 1), datetime.min.time())
    hours = _by_community(HoursEntry, {"served_on": {"$gte": start}}, field="$delta")
    cutoff = datetime.combine(today - timedelta(days=90), datetime.min.time())
    active = {}
    for row in HoursEntry._get_collection().aggregate([
            {"$match": {"served_on": {"$gte": cutoff}, "delta": {"$gt": 0}}},
            {"$group": {"_id": {"c": "$community_id", "v": "$volunteer_id"}}}]):
        active[row["_id"]["c"]] = active.get(row["_id"]["c"], 0) + 1
    for community in set(residents) | set(volunteers) | set(teams):
        out.set(VOLUNTEERS, (community,), volunteers.get(community, 0))
        out.set(TARGET, (community,), volunteer_target(residents.get(community, 0)))
        out.set(TEAMS, (community,), teams.get(community, 0))
        out.set(WAITLISTED, (community,), waitlisted.get(community, 0))
        out.set(HOURS_YEAR, (community,), round(hours.get(community, 0.0), 2))
        out.set(ACTIVE, (community,), active.get(community, 0))
    at = clock.now()
    counts: dict[tuple[str, str], int] = {}
    for row in Need._get_collection().find({"status": "open"}, {"community_id": 1, "opened_at": 1}):
        key = (row["community_id"], age_bucket(row["opened_at"], at))
        counts[key] = counts.get(key, 0) + 1
    for key, n in counts.items():
        out.set(NEEDS_OPEN, key, n)
    out.publish()
