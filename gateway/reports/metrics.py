"""The monthly reports' gauges, served by the gateway worker (`python -m gateway.worker`) and refreshed in the
background (shared.metrics_refresh): how many places have a report of each recent month, and which communities
still have none of the previous month (the CommunityReportMissing alert, deploy/prometheus/alerts.yml).

Counts and place ids only: a report's figures never reach a label.
"""
from datetime import date

from gateway.reports.models import Report
from shared import clock
from shared.events.gateway import REPORT_KINDS
from shared.metrics_refresh import Figures, refreshed_gauge

MONTHS_SHOWN = 13  # the previous month and the twelve before it: a year on a year

REPORTS_ISSUED = refreshed_gauge(
    "grid_reports_issued", "Places (communities or streets, by kind) with a monthly report of that month, in any "
    "version; the last 13 months", ["kind", "month"])
REPORT_MISSING = refreshed_gauge(
    "grid_report_missing", "1 for a community with no report of the previous month (the district's calendar), "
    "0 once it has one", ["community_id"])


def recent_months(*, today: date | None = None) -> list[str]:
    """The months the issued gauge covers, oldest first: the previous month and the twelve before it."""
    last = clock.previous_month(today)
    return [clock.month_after(last, -n) for n in range(MONTHS_SHOWN - 1, -1, -1)]


def issued_counts(*, months: list[str]) -> dict[tuple[str, str], int]:
    """{(kind, month): places with a report of that month} over `months`, zeros included."""
    places = {(kind, month): set() for kind in REPORT_KINDS for month in months}
    for row in Report.objects(month__in=months).only("kind", "month", "place_id").as_pymongo():
        places[(row["kind"], row["month"])].add(row["place_id"])
    return {key: len(found) for key, found in places.items()}


def refresh(*, community_ids, today: date | None = None) -> None:
    """Read the reports of the recent months and, of `community_ids` (every community of the district), those
    without one of the previous month; then publish both gauges at once."""
    months = recent_months(today=today)
    counts = issued_counts(months=months)
    reported = set(Report.objects(kind="community", month=months[-1]).distinct("place_id"))
    figures = Figures(REPORTS_ISSUED, REPORT_MISSING)
    for (kind, month), count in counts.items():
        figures.set(REPORTS_ISSUED, (kind, month), count)
    for community_id in community_ids:
        figures.set(REPORT_MISSING, (community_id,), 0 if community_id in reported else 1)
    figures.publish()
