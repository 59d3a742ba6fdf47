"""Business figures operators watch, computed from the cases on each /metrics scrape."""
from datetime import date

import mongoengine as me
from prometheus_client import Gauge

from services.mediation import working_days
from services.mediation.config import SETTINGS
from services.mediation.models import CLOCK_RUNNING, OPEN, Dispute
from services.mediation.service import desk_figures
from services.mediation.service.case_file import kind_query
from shared import clock

OPEN_CASES = Gauge("grid_disputes_open", "Open disputes by age in working days since registration",
                   ["community_id", "age_bucket"])
OVERDUE = Gauge("grid_disputes_overdue", "Disputes past their due date with the clock running (7 working days "
                "plus extensions and pauses)", ["community_id"])
BY_CATEGORY = Gauge("grid_disputes_by_category", "Disputes registered this year by category",
                    ["community_id", "category"])
SATISFACTION = Gauge("grid_mediation_satisfaction_ratio", "Share of this year's answered surveys rated 4 or 5 "
                     "(against grid_mediation_satisfaction_target)", ["community_id"])
SATISFACTION_TARGET = Gauge("grid_mediation_satisfaction_target", "The satisfaction share a community aims at "
                            "(SATISFACTION_TARGET), beside each community's ratio", ["community_id"])
SURVEY_ANSWERS = Gauge("grid_mediation_survey_answers", "This year's answered satisfaction surveys (the alert on the "
                       "ratio waits for SATISFACTION_MIN_ANSWERS of them)", ["community_id"])
SURVEY_MIN_ANSWERS = Gauge("grid_mediation_survey_min_answers", "Answered surveys needed before a community's "
                           "ratio is judged (SATISFACTION_MIN_ANSWERS; the alert compares against it)", ["community_id"])
SURVEYED = Gauge("grid_mediation_closed_surveyable", "This year's closed cases given a satisfaction survey link "
                 "(answers / this = the response rate)", ["community_id"])
# The desk: every kind of case (dispute, request, incident), zero for a kind a community has none of.
CASES_REGISTERED = Gauge("grid_cases_registered", "Cases registered this year, by kind", ["community_id", "kind"])
CASES_OPEN = Gauge("grid_cases_open", "Cases open now (not yet closed or archived), by kind", ["community_id", "kind"])
CASES_OVERDUE = Gauge("grid_cases_overdue", "Cases past their due date with the clock running, by kind",
                      ["community_id", "kind"])
CASES_CLOSED = Gauge("grid_cases_closed", "Cases closed this year (closed_on in this year), by kind",
                     ["community_id", "kind"])
CASES_ON_TIME = Gauge("grid_cases_closed_on_time", "Cases closed this year on or before their due date, by kind",
                      ["community_id", "kind"])
CASES_ON_TIME_TARGET = Gauge("grid_cases_on_time_target", "The share of requests and incidents a community aims to "
                             "close on time (CASES_ON_TIME_TARGET), beside its counts", ["community_id"])
DESK_GAUGES = (CASES_REGISTERED, CASES_OPEN, CASES_OVERDUE, CASES_CLOSED, CASES_ON_TIME, CASES_ON_TIME_TARGET)

BUCKETS = ((3, "0-3"), (7, "4-7"), (15, "8-15"))


def age_bucket(working_days: int) -> str:
    """The label of an open case's age: 0-3, 4-7, 8-15 or 16+ working days."""
    for upper, label in BUCKETS:
        if working_days <= upper:
            return label
    return "16+"


def refresh() -> None:
    """Set the gauges from the database (cleared first so communities without cases disappear)."""
    today = clock.today()
    for gauge in (OPEN_CASES, OVERDUE, BY_CATEGORY, SATISFACTION, SATISFACTION_TARGET, SURVEY_ANSWERS, SURVEY_MIN_ANSWERS,
                  SURVEYED):
        gauge.clear()
    refresh_desk(today)
    disputes = kind_query("dispute")
    opened: dict[tuple[str, str], int] = {}
    overdue: dict[str, int] = {}
    for row in Dispute.objects(disputes, status__in=list(OPEN)).only("community_id", "status", "registered_on",
                                                            "due_on").as_pymongo():
        community = row["community_id"]
        age = working_days.working_days_between(row["registered_on"].date(), today).value
        key = (community, age_bucket(age))
        opened[key] = opened.get(key, 0) + 1
        overdue.setdefault(community, 0)
        if row["status"] in CLOCK_RUNNING and today > row["due_on"].date():
            overdue[community] += 1
    for (community, bucket), n in opened.items():
        OPEN_CASES.labels(community, bucket).set(n)
    for community, n in overdue.items():
        OVERDUE.labels(community).set(n)
    year = Dispute.objects(year=today.year)
    for row in year.filter(disputes).aggregate([{"$group": {"_id": {"c": "$community_id", "k": "$category"}, "n": {"$sum": 1}}}]):
        BY_CATEGORY.labels(row["_id"]["c"], row["_id"]["k"]).set(row["n"])
    answered: dict[str, list[int]] = {}
    surveyed: dict[str, int] = {}
    for row in year.filter(__raw__={"survey.open_until": {"$exists": True}}).only(
            "community_id", "survey").as_pymongo():
        community = row["community_id"]
        surveyed[community] = surveyed.get(community, 0) + 1
        if row["survey"].get("rating"):
            answered.setdefault(community, []).append(row["survey"]["rating"])
    for community, n in surveyed.items():
        SURVEYED.labels(community).set(n)
        ratings = answered.get(community, [])
        SURVEY_ANSWERS.labels(community).set(len(ratings))
        SURVEY_MIN_ANSWERS.labels(community).set(SETTINGS.SATISFACTION_MIN_ANSWERS)
        if ratings:
            SATISFACTION.labels(community).set(sum(r >= 4 for r in ratings) / len(ratings))
            SATISFACTION_TARGET.labels(community).set(SETTINGS.SATISFACTION_TARGET)


def refresh_desk(today: date) -> None:
    """The desk's counts per community and kind: registered, open, overdue, closed and closed on time this year."""
    for gauge in DESK_GAUGES:
        gauge.clear()
    counts: dict[str, dict[str, dict[str, int]]] = {}
    this_year = me.Q(status__in=list(OPEN)) | me.Q(year=today.year) | me.Q(closed_on__gte=date(today.year, 1, 1))
    for row in Dispute.objects(this_year).only("kind", "community_id", "status", "year", "due_on",
                                               "closed_on").as_pymongo():
        closed = row.get("closed_on")
        desk_figures.tally(counts.setdefault(row["community_id"], desk_figures.empty()), row, today=today,
                           registered=row["year"] == today.year, closed=bool(closed) and closed.year == today.year)
    for community, per_kind in counts.items():
        CASES_ON_TIME_TARGET.labels(community).set(SETTINGS.CASES_ON_TIME_TARGET)
        for kind, n in per_kind.items():
            for gauge, name in zip(DESK_GAUGES, desk_figures.FIGURES):
                gauge.labels(community, kind).set(n[name])
