"""A community's month for the monthly situation report (情况报告制): drills held and their times, corrective
actions opened, closed and open at the month's end. Counts and times only, never people."""
from services.drills.models import Action, Drill
from services.drills.service.areas import community_query
from shared import clock
from shared.figures import minutes
from shared.identity import Principal


def month_figures(*, actor: Principal, community_id: str, month: str) -> dict:
    """The drills and corrective actions of `community_id` in `month` (YYYY-MM), from their stored times."""
    actor.require("reports.read")
    community = community_query(actor, community_id)
    start, end = clock.month_span(month)
    held = Drill.objects(community, status="completed", started_at__gte=start, started_at__lt=end) \
        .exclude("outbox").order_by("started_at")
    cancelled = Drill.objects(community, status="cancelled", starts_at__gte=start, starts_at__lt=end).count()
    actions = Action.objects(community, opened_at__lt=end).only("opened_at", "closed_at")
    opened = closed = still_open = 0
    for a in actions:
        opened_at, closed_at = clock.aware(a.opened_at), clock.aware(a.closed_at)
        opened += opened_at >= start
        closed += closed_at is not None and start <= closed_at < end
        still_open += closed_at is None or closed_at >= end
    drills = [_held(d) for d in held]
    return {"community_id": community_id, "month": month, "held": drills, "drills_held": len(drills),
            "cancelled": cancelled, "actions_open": still_open, "actions_opened": opened, "actions_closed": closed}


def _held(drill: Drill) -> dict:
    """A held drill's times: households on its frozen roll-call, accounted for, minutes to 90% and 100%."""
    result = drill.result or {}
    return {"drill_id": str(drill.pk), "title": drill.title, "kind": drill.kind, "hazard": drill.hazard,
            "started_at": clock.aware(drill.started_at), "households": drill.households or 0,
            "accounted": result.get("accounted", 0),
            "minutes_to_90": minutes(result.get("time_to_90_s")),
            "minutes_to_100": minutes(result.get("time_to_100_s"))}
