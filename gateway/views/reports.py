"""The monthly situation reports (情况报告) of a community and of a street: the months with their versions, a month's
report (the newest version, `?version=n` an older one), its PDF, and issuing or re-issuing it.

Every page first asks households for the place as the signed-in user (404 outside their area); what a report shows
comes from what it stored when it was issued, never from the services now.
"""
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.auth import may, permission_required, principal
from gateway.calls import CODE, checked
from gateway.i18n import reason_text
from gateway.reports import service
from gateway.reports.catalog import SECTIONS
from gateway.reports.documents import report_pdf
from gateway.reports.labels import month_label, report_title
from gateway.reports.models import MONTH
from shared.errors import DomainError

bp = Blueprint("reports", __name__)
KIND = {"communities": "community", "streets": "street"}
PLACES = "<any(communities, streets):places>/<place_id>"


def _place(places: str, place_id: str) -> dict:
    """The place as the signed-in user sees it (a ServiceError 404 outside their area)."""
    return service.locate(kind=KIND[places], place_id=checked(place_id, CODE), principal=principal())


def _month(month: str) -> str:
    if not re.match(MONTH, month or ""):
        abort(404)
    return month


def _version() -> int | None:
    raw = request.args.get("version")
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 1000:
        abort(404)
    return int(raw)


@bp.get(f"/{PLACES}/reports")
@permission_required("reports.read")
def months(places, place_id):
    """The place's months, each with its versions or marked missing."""
    place = _place(places, place_id)
    rows = service.reports_of(kind=place["kind"], place_id=place_id)
    return render_template("reports/months.html", place=place, places=places, rows=rows, month_label=month_label)


@bp.get(f"/{PLACES}/reports/<month>")
@permission_required("reports.read")
def month(places, place_id, month):
    """The report of the month as issued (or that there is none yet, with the button to issue it)."""
    return _page(places, _place(places, place_id), _month(month), version=_version())


def _page(places: str, place: dict, month: str, *, version: int | None = None, status: int = 200):
    place_id = place["place_id"]
    report = service.find(kind=place["kind"], place_id=place_id, month=month, version=version)
    if report is None and version is not None:
        abort(404)
    street = service.street_status(place_id, month, communities=place["community_ids"]) \
        if place["kind"] == "street" else None
    title = report_title(place_name=report.place_name if report else place["names"].get(place_id, place_id),
                         month=month)
    return render_template(
        "reports/month.html", place=place, places=places, month=month, report=report, sections=SECTIONS,
        versions=service.versions(kind=place["kind"], place_id=place_id, month=month), street=street, title=title,
        month_label=month_label, may_issue=may("reports.issue")), status


@bp.get(f"/{PLACES}/reports/<month>.pdf")
@permission_required("reports.read")
def pdf(places, place_id, month):
    """The report's PDF (the newest version, or `?version=n`)."""
    place = _place(places, place_id)
    report = service.find(kind=place["kind"], place_id=place_id, month=_month(month), version=_version())
    if report is None:
        abort(404)
    return report_pdf(report), 200, {
        "Content-Type": "application/pdf", "Cache-Control": "private, no-store",
        "Content-Disposition": f'inline; filename="{report.number}.pdf"'}


@bp.post(f"/{PLACES}/reports/<month>")
@permission_required("reports.issue")
def issue(places, place_id, month):
    """Issue the month's report (version 1), or re-issue it (the next version): 303 back to the page."""
    place, month = _place(places, place_id), _month(month)
    try:
        report = service.issue(kind=place["kind"], place_id=place_id, month=month, principal=principal(),
                               issued_by=principal().user_id, place=place)
    except DomainError as exc:
        flash(reason_text(exc.reason, exc.message), "error")
        return _page(places, place, month, status=exc.status)
    flash(_("Report %(number)s issued (version %(version)s).", number=report.number, version=report.report_version),
          "ok")
    return redirect(url_for("reports.month", places=places, place_id=place_id, month=month), code=303)
