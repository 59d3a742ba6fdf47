"""The monthly report's figures of the service desk (情况报告制): counts of one community's month, and its months side
by side for the category × month heat map. Counts only: no parties, handlers or free text."""
from datetime import date, timedelta

import mongoengine as me

from services.mediation import notices
from services.mediation.models import Dispute
from services.mediation.rules import closed_on_time, overdue_on
from services.mediation.service.figures import places, satisfaction, spots
from shared import clock
from shared.events.mediation import KINDS
from shared.figures import percent
from shared.identity import Principal
from shared.scope import not_found

FIELDS = ("kind", "category", "registered_on", "due_on", "closed_on", "outcome", "pauses", "referrals")
FIGURES = ("registered", "closed", "on_time", "overdue")
MAX_MONTHS = 24


def _community(actor: Principal, community_id: str) -> None:
    actor.require("reports.read")
    if not actor.covers(community_id=community_id, grid_id=None):
        raise not_found("community", community_id, field="community_id")


def _days(month: str) -> tuple[date, date]:
    """The first and the last day of `month`."""
    return clock.month_start(month), clock.month_start(clock.month_after(month)) - timedelta(days=1)


def _day(value) -> date | None:
    return value.date() if value else None


def _kind(row: dict) -> str:
    return row.get("kind") or "dispute"  # stored before kinds existed: a dispute


def _overdue_at_end(row: dict, last: date) -> bool:
    """Open past its due date at the end of `last`, or today in a month still running (the due date as it stands
    now: an extension granted after the month moved it)."""
    return overdue_on(day=min(last, clock.today()), registered_on=_day(row["registered_on"]), due_on=_day(row["due_on"]),
                      closed_on=_day(row.get("closed_on")), decided_on=_day((row.get("outcome") or {}).get("decided_on")),
                      pauses=[(_day(p["started_on"]), _day(p.get("ended_on"))) for p in row.get("pauses") or ()],
                      referrals=[(_day(r["referred_on"]), _day(r.get("returned_on"))) for r in row.get("referrals") or ()])


def _month_rows(community_id: str, first: date, last: date) -> list[dict]:
    """The community's cases registered by `last` and not closed before `first`: all the month can count."""
    alive = me.Q(closed_on=None) | me.Q(closed_on__gte=first)
    return list(Dispute.objects(me.Q(community_id=community_id, registered_on__lte=last) & alive)
                .only(*FIELDS).as_pymongo())


def _answered(community_id: str, month: str):
    start, end = clock.month_span(month)
    return Dispute.objects(community_id=community_id, survey__answered_at__gte=start, survey__answered_at__lt=end)


def _satisfaction(community_id: str, month: str) -> dict:
    got = satisfaction(_answered(community_id, month))
    return {"answered": got["answered"], "satisfied": got["satisfied"],
            "share": percent(got["satisfied"], got["answered"])}


def _special_reports(community_id: str, month: str) -> list[dict]:
    start, end = clock.month_span(month)
    made = Dispute.objects(community_id=community_id, major=True, escalation__at__gte=start, escalation__at__lt=end)
    return [{"number": d.number, "kind": d.kind or "dispute", "category": d.category,
             "category_label": notices.category_label(d.kind, d.category),
             "households_involved": d.escalation.households_involved or d.households_involved or 0}
            for d in made.only("number", "kind", "category", "escalation", "households_involved").order_by("number")]


def month_figures(*, actor: Principal, community_id: str, month: str) -> dict:
    """A community's month at the desk: cases registered, closed (on time), overdue, by kind and category, its hot
    spots, special reports made and surveys answered."""
    _community(actor, community_id)
    first, last = _days(month)
    by_kind = {kind: dict.fromkeys(FIGURES, 0) for kind in KINDS}
    categories: dict[tuple[str, str], dict] = {}
    for row in _month_rows(community_id, first, last):
        n, registered = by_kind[_kind(row)], first <= _day(row["registered_on"]) <= last
        closed_on = _day(row.get("closed_on"))
        closed = closed_on is not None and first <= closed_on <= last
        on_time = closed and closed_on_time(closed_on=closed_on, due_on=_day(row["due_on"]))
        n["registered"] += registered
        n["closed"] += closed
        n["on_time"] += on_time
        n["overdue"] += (closed and not on_time) or _overdue_at_end(row, last)
        if registered or closed:
            c = categories.setdefault((_kind(row), row["category"]), {"registered": 0, "closed": 0})
            c["registered"] += registered
            c["closed"] += closed
    totals = {f: sum(n[f] for n in by_kind.values()) for f in FIGURES}
    hot = spots(Dispute.objects(community_id=community_id, month=month))
    reports = _special_reports(community_id, month)
    return {"community_id": community_id, "month": month, **totals,
            "on_time_share": percent(totals["on_time"], totals["closed"]), "by_kind": by_kind,
            "by_category": [{"kind": k, "category": c, "category_label": notices.category_label(k, c), **n}
                            for (k, c), n in sorted(categories.items(), key=lambda x: (-x[1]["registered"], x[0]))],
            "hotspots": places(hot["rows"]),
            "special_reports": {"count": len(reports), "items": reports},
            "satisfaction": _satisfaction(community_id, month)}


def cases_by_month(*, actor: Principal, community_id: str, months: int = 12) -> dict:
    """The community's last `months` months up to this one: cases registered by category (a row per kind and
    category, a count per month), the share closed on time and the share of answered surveys satisfied."""
    _community(actor, community_id)
    months = max(1, min(months, MAX_MONTHS))
    now = clock.month_of(clock.today())
    listed = [clock.month_after(now, i - months + 1) for i in range(months)]
    counts: dict[tuple[str, str], list[int]] = {}
    for row in (Dispute.objects(community_id=community_id, month__gte=listed[0], month__lte=now)
                .only("kind", "category", "month").as_pymongo()):
        counts.setdefault((_kind(row), row["category"]), [0] * months)[listed.index(row["month"])] += 1
    closed = [[0, 0] for _ in listed]  # per month: closed, of which on time
    first, _ = _days(listed[0])
    for row in Dispute.objects(community_id=community_id, closed_on__gte=first).only("closed_on", "due_on").as_pymongo():
        at = clock.month_of(_day(row["closed_on"]))
        if at in listed:
            closed[listed.index(at)][0] += 1
            closed[listed.index(at)][1] += closed_on_time(closed_on=_day(row["closed_on"]), due_on=_day(row["due_on"]))
    return {"community_id": community_id, "months": listed,
            "categories": [{"kind": k, "category": c, "category_label": notices.category_label(k, c), "counts": n}
                           for (k, c), n in sorted(counts.items(), key=lambda x: (-sum(x[1]), x[0]))],
            "on_time_share": [percent(on_time, n) for n, on_time in closed],
            "satisfaction_share": [_satisfaction(community_id, m)["share"] for m in listed]}
