"""A community's month in figures for the monthly report (counts only): volunteers at the month's end, sign-ups and
hours in the month, teams at the month's end, against the targets; and new volunteers per month for a trend."""
from datetime import date

import mongoengine as me
from bson import ObjectId

from services.volunteers.config import SETTINGS
from services.volunteers.models import HoursEntry, SignupClaim, Team, VolunteerRecord
from services.volunteers.register_copy import counted
from services.volunteers.service.access import in_community
from services.volunteers.service.hours import hours_sum
from shared import clock
from shared.figures import percent
from shared.identity import Principal

# What hours are for, by the ledger line's source (a correction counts as the kind of the line it corrects).
HOUR_KINDS = ("task", "drill", "self_report")


def _volunteers_at(community_id: str, at) -> int:
    """Volunteers registered before `at` and not left before it, as the stored dates say."""
    return VolunteerRecord.objects(me.Q(community_id=community_id, registered_at__lt=at)
                                   & (me.Q(left_at=None) | me.Q(left_at__gte=at))).count()


def _kind_of(lines: list[HoursEntry]) -> dict[str, str]:
    """Each line's kind: its own source, or for a correction the source of the first line of its chain."""
    kinds = {str(line.pk): line.source for line in lines}
    corrects = {str(line.pk): line.corrects for line in lines if line.corrects}
    for _ in range(10):  # a line is corrected at most once, so chains are short: each pass climbs one step
        wanted = [ObjectId(c) for c in set(corrects.values()) - set(kinds) if ObjectId.is_valid(c)]
        if not wanted:
            break
        for e in HoursEntry.objects(pk__in=wanted).only("source", "corrects"):
            kinds[str(e.pk)] = e.source
            if e.corrects:
                corrects[str(e.pk)] = e.corrects

    def root(line_id: str) -> str:
        for _ in range(10):
            if kinds.get(line_id) != "correction" or line_id not in corrects:
                break
            line_id = corrects[line_id]
        return kinds.get(line_id, "correction")
    return {str(line.pk): root(str(line.pk)) for line in lines}


def _hours_by_kind(community_id: str, first: date, after: date) -> dict[str, float]:
    lines = list(HoursEntry.objects(community_id=community_id, served_on__gte=first, served_on__lt=after)
                 .only("source", "corrects", "delta"))
    kinds = _kind_of(lines)
    totals = dict.fromkeys(HOUR_KINDS, 0.0)
    for line in lines:
        kind = kinds[str(line.pk)]
        totals[kind] = totals.get(kind, 0.0) + line.delta
    return {kind: round(hours, 2) for kind, hours in totals.items()}


def month_figures(*, actor: Principal, community_id: str, month: str) -> dict:
    """The community's volunteer figures of one month (YYYY-MM, the district's calendar) against the targets."""
    in_community(actor, community_id, "reports.read")
    start, end = clock.month_span(month)
    first, after = clock.month_start(month), clock.month_start(clock.month_after(month))
    in_month = {"created_at__gte": start, "created_at__lt": end}
    volunteers = _volunteers_at(community_id, end)
    residents = counted(community_id).residents or 0
    return {
        "community_id": community_id, "month": month,
        "volunteers": volunteers,
        "new_signups": VolunteerRecord.objects(community_id=community_id, registered_at__gte=start,
                                               registered_at__lt=end).count(),
        "link_signups": VolunteerRecord.objects(community_id=community_id, **in_month).count()
        + SignupClaim.objects(community_id=community_id, **in_month).count(),
        "hours": hours_sum(community_id=community_id, served_on__gte=first, served_on__lt=after),
        "hours_by_kind": _hours_by_kind(community_id, first, after),
        "teams": Team.objects(community_id=community_id, created_at__lt=end).count(),
        "residents": residents,
        "share": percent(volunteers, residents),
        "share_target": round(100 * SETTINGS.VOLUNTEER_SHARE_TARGET, 1),
        "teams_target": SETTINGS.VOLUNTEER_TEAMS_TARGET,
    }


def signups_by_month(*, actor: Principal, community_id: str, months: int = 12) -> list[dict]:
    """Volunteers newly registered in each of the last `months` months (this one included), oldest first."""
    in_community(actor, community_id, "volunteers.figures")
    this = clock.month_of(clock.today())
    labels = [clock.month_after(this, n) for n in range(1 - months, 1)]
    since = clock.month_span(labels[0])[0]
    counts = dict.fromkeys(labels, 0)
    for at in VolunteerRecord.objects(community_id=community_id, registered_at__gte=since).scalar("registered_at"):
        month = clock.month_of(clock.aware(at))
        counts[month] = counts.get(month, 0) + 1
    return [{"month": m, "new_signups": counts[m]} for m in labels]
