"""Business figures operators watch, computed from the cases by the background refresh (one read per refresh)."""
from datetime import date

import mongoengine as me

from services.mediation import working_days
from services.mediation.config import SETTINGS
from services.mediation.models import CLOCK_RUNNING, OPEN, Dispute
from services.mediation.service import desk_figures
from shared import clock
from shared.events.mediation import DESK_KINDS
from shared.metrics_refresh import Figures, refreshed_gauge

OPEN_CASES = refreshed_gauge(
    "grid_disputes_open", "Open disputes by age in working days since registration",
    ["community_id", "age_bucket"])
OVERDUE = refreshed_gauge(
    "grid_disputes_overdue", "Disputes past their due date with the clock running (7 working days "
    "plus extensions and pauses)", ["community_id"])
BY_CATEGORY = refreshed_gauge(
    "grid_disputes_by_category", "Disputes registered this year by category",
    ["community_id", "category"])
SATISFACTION = refreshed_gauge(
    "grid_mediation_satisfaction_ratio", "Share of this year's answered surveys rated 4 or 5 "
    "(against grid_mediation_satisfaction_target)", ["community_id"])
SATISFACTION_TARGET = refreshed_gauge(
    "grid_mediation_satisfaction_target", "The satisfaction share a community aims at "
    "(SATISFACTION_TARGET), beside each community's ratio", ["community_id"])
SURVEY_ANSWERS = refreshed_gauge(
    "grid_mediation_survey_answers", "This year's answered satisfaction surveys (the alert on the "
    "ratio waits for SATISFACTION_MIN_ANSWERS of them)", ["community_id"])
SURVEY_MIN_ANSWERS = refreshed_gauge(
    "grid_mediation_survey_min_answers", "Answered surveys needed before a community's "
    "ratio is judged (SATISFACTION_MIN_ANSWERS; the alert compares against it)", ["community_id"])
SURVEYED = refreshed_gauge(
    "grid_mediation_closed_surveyable", "This year's closed cases given a satisfaction survey link "
    "(answers / this = the response rate)", ["community_id"])
# The desk: every kind of case (dispute, request, incident), zero for a kind a community has none of.
CASES_REGISTERED = refreshed_gauge(
    "grid_cases_registered", "Cases registered this year, by kind", ["community_id", "kind"])
CASES_OPEN = refreshed_gauge(
    "grid_cases_open", "Cases open now (not yet closed or archived), by kind", ["community_id", "kind"])
CASES_OVERDUE = refreshed_gauge(
    "grid_cases_overdue", "Cases past their due date with the clock running, by kind",
    ["community_id", "kind"])
CASES_CLOSED = refreshed_gauge(
    "grid_cases_closed", "Cases closed this year (closed_on in this year), by kind",
    ["community_id", "kind"])
CASES_ON_TIME = refreshed_gauge(
    "grid_cases_closed_on_time", "Cases closed this year on or before their due date, by kind",
    ["community_id", "kind"])
CASES_ON_TIME_TARGET = refreshed_gauge(
    "grid_cases_on_time_target", "The share of requests and incidents a community aims to "
    "close on time (CASES_ON_TIME_TARGET), beside its counts", ["community_id"])
DESK_GAUGES = (CASES_REGISTERED, CASES_OPEN, CASES_OVERDUE, CASES_CLOSED, CASES_ON_TIME, CASES_ON_TIME_TARGET)

BUCKETS = ((3, "0-3"), (7, "4-7"), (15, "8-15"))


def age_bucket(working_days: int) -> str:
    """The label of an open case's age: 0-3, 4-7, 8-15 or 16+ working days."""
    for upper, label in BUCKETS:
        if working_days <= upper:
            return label
    return "16+"


DISPUTE_GAUGES = (OPEN_CASES, OVERDUE, BY_CATEGORY, SATISFACTION, SATISFACTION_TARGET, SURVEY_ANSWERS,
                  SURVEY_MIN_ANSWERS, SURVEYED)
FIELDS = ("kind", "community_id", "status", "year", "category", "registered_on", "due_on", "closed_on",
          "survey.open_until", "survey.rating")


def refresh() -> None:
    """Set the gauges from one read of the cases open now or of this year (a community without cases loses its
    labels): the desk's counts of every kind, and the dispute gauges of disputes only."""
    today = clock.today()
    out = Figures(*DISPUTE_GAUGES, *DESK_GAUGES)
    desk: dict[str, dict[str, dict[str, int]]] = {}
    disputes = DisputeFigures(today)
    this_year = me.Q(status__in=list(OPEN)) | me.Q(year=today.year) | me.Q(closed_on__gte=date(today.year, 1, 1))
    for row in Dispute.objects(this_year).only(*FIELDS).as_pymongo():
        closed = row.get("closed_on")
        desk_figures.tally(desk.setdefault(row["community_id"], desk_figures.empty()), row, today=today,
                           registered=row["year"] == today.year, closed=bool(closed) and closed.year == today.year)
        if row.get("kind") not in DESK_KINDS:  # stored before kinds existed: a dispute
            disputes.count(row)
    for community, per_kind in desk.items():
        out.set(CASES_ON_TIME_TARGET, (community,), SETTINGS.CASES_ON_TIME_TARGET)
        for kind, n in per_kind.items():
            for gauge, name in zip(DESK_GAUGES, desk_figures.FIGURES):
                out.set(gauge, (community, kind), n[name])
    disputes.put(out)
    out.publish()


class DisputeFigures:
    """The dispute gauges' counts: open by age, overdue, this year's by category and their surveys."""

    def __init__(self, today: date):
        self.today = today
        self.opened: dict[tuple[str, str], int] = {}
        self.overdue: dict[str, int] = {}
        self.categories: dict[tuple[str, str], int] = {}
        self.surveyed: dict[str, int] = {}
        self.ratings: dict[str, list[int]] = {}

    def count(self, row: dict) -> None:
        """Count one dispute (a raw row of FIELDS)."""
        community = row["community_id"]
        if row["status"] in OPEN:
            age = working_days.working_days_between(row["registered_on"].date(), self.today).value
            key = (community, age_bucket(age))
            self.opened[key] = self.opened.get(key, 0) + 1
            late = row["status"] in CLOCK_RUNNING and self.today > row["due_on"].date()
            self.overdue[community] = self.overdue.get(community, 0) + late
        if row["year"] != self.today.year:
            return
        key = (community, row["category"])
        self.categories[key] = self.categories.get(key, 0) + 1
        survey = row.get("survey") or {}
        if "open_until" in survey:
            self.surveyed[community] = self.surveyed.get(community, 0) + 1
            if survey.get("rating"):
                self.ratings.setdefault(community, []).append(survey["rating"])

    def put(self, out: Figures) -> None:
        """Add the counts to a refresh's figures."""
        for key, n in self.opened.items():
            out.set(OPEN_CASES, key, n)
        for community, n in self.overdue.items():
            out.set(OVERDUE, (community,), n)
        for key, n in self.categories.items():
            out.set(BY_CATEGORY, key, n)
        for community, n in self.surveyed.items():
            ratings = self.ratings.get(community, [])
            out.set(SURVEYED, (community,), n)
            out.set(SURVEY_ANSWERS, (community,), len(ratings))
            out.set(SURVEY_MIN_ANSWERS, (community,), SETTINGS.SATISFACTION_MIN_ANSWERS)
            if ratings:
                out.set(SATISFACTION, (community,), sum(r >= 4 for r in ratings) / len(ratings))
                out.set(SATISFACTION_TARGET, (community,), SETTINGS.SATISFACTION_TARGET)
