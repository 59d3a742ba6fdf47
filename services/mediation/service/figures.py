"""Figures: where disputes arise (hot spots by category, grid and month), outcomes and satisfaction."""
import mongoengine as me

from services.mediation import notices
from services.mediation.config import SETTINGS
from services.mediation.models import CLOCK_RUNNING, Dispute, RegisterGrid
from services.mediation.service.case_file import given, kind_query, scope_query
from shared import clock
from shared.identity import Principal


def satisfaction(query) -> dict:
    """Answered surveys against the target (SATISFACTION_TARGET), judged only from SATISFACTION_MIN_ANSWERS answers
    on, and beside it the response rate: answered / closed cases given a survey link."""
    answered = query.filter(survey__rating__gte=1).count()
    satisfied = query.filter(survey__rating__gte=4).count()
    surveyed = query.filter(__raw__={"survey.open_until": {"$exists": True}}).count()
    rate = satisfied / answered if answered else None
    target, least = SETTINGS.SATISFACTION_TARGET, SETTINGS.SATISFACTION_MIN_ANSWERS
    return {"answered": answered, "satisfied": satisfied, "rate": rate, "target": target, "min_answers": least,
            "meets_target": None if rate is None or answered < least else rate >= target,
            "surveyed": surveyed, "response_rate": answered / surveyed if surveyed else None}


def _totals_by(rows: list[dict], keys: tuple[str, ...]) -> list[tuple[tuple, int]]:
    out: dict = {}
    for r in rows:
        key = tuple(r[k] for k in keys)
        out[key] = out.get(key, 0) + r["count"]
    return sorted(out.items(), key=lambda x: (-x[1], tuple(v or "" for v in x[0])))


def _totals(rows: list[dict], key: str) -> list[dict]:
    return [{key: k, "count": n} for (k,), n in _totals_by(rows, (key,))]


def spots(query) -> dict:
    """Where cases arise: counts by kind, category, grid and month (`rows`), and their totals by category, grid and
    month, of the cases `query` selects (the hot-spot report's and the monthly report's one reading)."""
    groups = query.aggregate([{"$group": {"_id": {"kind": "$kind", "category": "$category", "grid_id": "$grid_id",
                                                  "month": "$month"}, "count": {"$sum": 1}}}])
    # Cases stored before kinds existed have none: they count with the disputes of their group.
    counted = _totals_by([{**r["_id"], "kind": r["_id"].get("kind") or "dispute", "grid_id": r["_id"].get("grid_id"),
                           "count": r["count"]} for r in groups], ("kind", "category", "grid_id", "month"))
    rows = [{"kind": k, "category": c, "grid_id": g, "month": m, "count": n} for (k, c, g, m), n in counted]
    rows.sort(key=lambda r: (r["month"], r["grid_id"] or "", r["kind"], r["category"]))
    names = {g.pk: g.name for g in RegisterGrid.objects(pk__in=[r["grid_id"] for r in rows if r["grid_id"]])}
    by_grid = [{**g, "grid_name": names.get(g["grid_id"])} for g in _totals(rows, "grid_id")]
    by_category = [{"kind": k, "category": c, "category_label": notices.category_label(k, c), "count": n}
                   for (k, c), n in _totals_by(rows, ("kind", "category"))]
    return {"total": sum(r["count"] for r in rows), "rows": rows, "by_category": by_category, "by_grid": by_grid,
            "by_month": sorted(_totals(rows, "month"), key=lambda m: m["month"])}


def places(rows: list[dict]) -> list[dict]:
    """Hot spots: counts by kind, category and grid (months added up), the most first."""
    return [{"kind": k, "category": c, "grid_id": g, "count": n}
            for (k, c, g), n in _totals_by(rows, ("kind", "category", "grid_id"))]


def hotspots(*, actor: Principal, year: int | None = None, community_id=None, grid_id=None,
             month_from=None, month_to=None, kind="dispute") -> dict:
    """Counts by category, grid and month, outcomes, satisfaction vs its target and the survey response rate,
    of one kind of case (disputes unless asked; `all` for every kind, a category then counted per kind)."""
    actor.require("disputes.figures")
    year = year or clock.today().year
    where = scope_query(actor, personal=False) & kind_query(None if kind == "all" else kind) & me.Q(year=year)
    query = Dispute.objects(where & given(community_id=community_id, grid_id=grid_id, month__gte=month_from,
                                          month__lte=month_to))
    outcomes = {k: query.filter(outcome__kind=k).count() for k in notices.OUTCOME_LABELS}
    today = clock.today()
    return {"year": year, **spots(query), "outcomes": outcomes, "escalated": query.filter(major=True).count(),
            "overdue_now": query.filter(status__in=list(CLOCK_RUNNING), due_on__lt=today).count(),
            "satisfaction": satisfaction(query)}
