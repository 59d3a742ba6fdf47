"""Issuing monthly situation reports (情况报告): gather each section's figures of a month, freeze them with the
place's names as a new version, and raise `report.issued`; the monthly run; what a place and a street have."""
import logging
from functools import partial

import mongoengine as me
from bson import ObjectId
from flask import current_app

from gateway.fanout import gather
from gateway.reports.catalog import SECTIONS
from gateway.reports.models import MONTHLY_RUN, Report, report_number
from gateway.upstream import ServiceError, client
from shared import clock
from shared.errors import Conflict, DomainError, Invalid
from shared.events import new_event
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import reports as reasons

log = logging.getLogger(__name__)
# The monthly run asks the services as the district's operator: every community and street, read only.
SYSTEM = Principal(user_id=MONTHLY_RUN, role="operator", name="月度报告")
ATTEMPTS = 5  # two people re-issuing at once: each takes the next free version


class SectionsUnavailable(DomainError):
    """A section's service did not answer: nothing was issued."""

    status = 503
    code = "unavailable"


def check_month(month: str) -> None:
    """A report covers a month that is over: the current month or a later one is refused (422, field month)."""
    if month >= clock.month_of(clock.today()):
        raise Invalid(reasons.MONTH_NOT_OVER(month=month), field="month")


def locate(*, kind: str, place_id: str, principal: Principal) -> dict:
    """The place as `principal` may see it (households answers 404 outside their area): its name, its street and
    its communities and grids, {id: name} in `names`."""
    households = client("households", principal)
    if kind == "street":
        street = households.get(f"/streets/{place_id}")
        communities = households.get("/communities", params={"street_id": place_id})
        street_id, street_name = place_id, street["name"]
    else:
        communities = [c for c in households.get("/communities") if c["id"] == place_id]
        if not communities:
            raise ServiceError("households", 404, {"message": "community not found"})
        street_id = communities[0].get("street_id")
        street_name = next((p["name"] for p in households.get("/places", params={"ids": street_id})
                            if p["id"] == street_id), street_id) if street_id else None
    ids = {c["id"] for c in communities}
    grids = [g for g in households.get("/grids", params={"community_id": place_id} if kind == "community" else None)
             if g["community_id"] in ids]
    names = {**({street_id: street_name} if street_id else {}), **{c["id"]: c["name"] for c in communities},
             **{g["id"]: g["name"] for g in grids}}
    return {"kind": kind, "place_id": place_id, "street_id": street_id, "names": names,
            "community_ids": [c["id"] for c in communities]}


def gather_figures(*, place: dict, month: str, principal: Principal) -> dict:
    """Every section's figures of the place's month, all asked at once; SectionsUnavailable when a service does not
    answer (and the service's own error when it refuses)."""
    calls = {}
    for section in SECTIONS:
        upstream = client(section.service, principal)
        for cid in place["community_ids"]:
            calls[section.key, cid] = partial(upstream.get, "/reports/month", params={"community_id": cid, "month": month})
    # Issuing is no page render: a street asks every service once per community, so the calls get as long as one
    # service may take to answer (SERVICE_READ_TIMEOUT_S), not the pages' FANOUT_DEADLINE_S.
    got = gather(calls, deadline_s=current_app.config["SERVICE_READ_TIMEOUT_S"])
    down = sorted({str(key[0]) for key, outcome in got.items()
                   if not outcome.ok and (not isinstance(outcome.error, ServiceError) or outcome.error.unavailable)})
    if down:
        raise SectionsUnavailable(reasons.SECTIONS_UNAVAILABLE(services=", ".join(down)))
    figures = {}
    for section in SECTIONS:
        values = [got[section.key, cid].result() for cid in place["community_ids"]]
        figures[section.key] = values[0] if place["kind"] == "community" else section.combine(values)
    return figures


def report_issued(report: Report):
    """The `report.issued` event of a report just written (its number and place, never its figures)."""
    return new_event("report.issued", version=1, source="gateway",
                     community_id=report.place_id if report.kind == "community" else None, data={
                         "report_id": str(report.pk), "kind": report.kind, "place_id": report.place_id,
                         "street_id": report.street_id, "month": report.month, "version": report.report_version,
                         "number": report.number, "issued_at": report.issued_at.isoformat()})


def _write(*, place: dict, month: str, figures: dict, version: int, principal: Principal, issued_by: str) -> Report:
    """Insert one version (NotUniqueError when that version exists already)."""
    kind, place_id = place["kind"], place["place_id"]
    report = Report(id=ObjectId(), kind=kind, place_id=place_id, street_id=place["street_id"], month=month, report_version=version,
                    number=report_number(kind=kind, place_id=place_id, month=month, version=version),
                    figures=figures, names=place["names"], issued_at=clock.now(), issued_by=issued_by,
                    issued_by_name=principal.name if issued_by != MONTHLY_RUN else None)
    return commit(report, report_issued(report))


def latest_version(*, kind: str, place_id: str, month: str) -> int:
    """The place's month's newest version number; 0 when it has none."""
    last = Report.objects(kind=kind, place_id=place_id, month=month).order_by("-report_version").only(
        "report_version").first()
    return last.report_version if last else 0


def issue(*, kind: str, place_id: str, month: str, principal: Principal, issued_by: str,
          first_only: bool = False, place: dict | None = None) -> Report | None:
    """Issue the place's report of a month that is over: version n+1 (with `first_only`, version 1 or nothing).
    `place` is what `locate` answered, when the caller asked already."""
    place = place or locate(kind=kind, place_id=place_id, principal=principal)
    check_month(month)
    figures = gather_figures(place=place, month=month, principal=principal)
    for _ in range(ATTEMPTS):
        version = 1 if first_only else latest_version(kind=kind, place_id=place_id, month=month) + 1
        try:
            return _write(place=place, month=month, figures=figures, version=version, principal=principal,
                          issued_by=issued_by)
        except me.NotUniqueError:
            if first_only:
                return None  # the other run (or a person) issued it first
    raise Conflict(reasons.BUSY())


def issue_due(*, today=None) -> list[Report]:
    """The monthly run: for the previous month, version 1 for every community and street with no report of it yet.
    Run twice, still one each; a place whose figures cannot be gathered now is tried on the next run."""
    month = clock.previous_month(today)
    households = client("households", SYSTEM)
    places = [("community", c["id"]) for c in households.get("/communities")] + [
        ("street", s["id"]) for s in households.get("/streets")]
    have = {(r.kind, r.place_id) for r in Report.objects(month=month).only("kind", "place_id")}
    issued = []
    for kind, place_id in places:
        if (kind, place_id) in have:
            continue
        try:
            report = issue(kind=kind, place_id=place_id, month=month, principal=SYSTEM, issued_by=MONTHLY_RUN,
                           first_only=True)
        except (DomainError, ServiceError) as exc:
            log.warning("monthly report not issued", extra={"kind": kind, "place_id": place_id, "month": month,
                                                            "error": str(exc)})
            continue
        if report is not None:
            issued.append(report)
    return issued


def find(*, kind: str, place_id: str, month: str, version: int | None = None) -> Report | None:
    """The place's report of the month: `version`, else the newest."""
    query = Report.objects(kind=kind, place_id=place_id, month=month)
    if version is not None:
        return query.filter(report_version=version).first()
    return query.order_by("-report_version").first()


def versions(*, kind: str, place_id: str, month: str) -> list[Report]:
    """Every version of the place's month, newest first (without their figures)."""
    return list(Report.objects(kind=kind, place_id=place_id, month=month).order_by("-report_version").only(
        "report_version", "number", "issued_at", "issued_by", "issued_by_name"))


def reports_of(*, kind: str, place_id: str, months: int = 12) -> list[dict]:
    """The place's months, newest first: the last `months` months that are over and any older month with a report,
    each with its versions ([] when it has none)."""
    found: dict[str, list] = {}
    for r in Report.objects(kind=kind, place_id=place_id).order_by("-month", "-report_version").only(
            "month", "report_version", "number", "issued_at", "issued_by", "issued_by_name"):
        found.setdefault(r.month, []).append(r)
    last = clock.previous_month()
    recent = [clock.month_after(last, -n) for n in range(months)]
    return [{"month": m, "versions": found.get(m, [])} for m in sorted(set(recent) | set(found), reverse=True)]


def street_status(street_id: str, month: str, *, communities: list[str] | None = None) -> list[dict]:
    """The street's communities with their newest report of the month ({number, version, issued_at}) or None (missing).
    `communities` defaults to the street's communities as the register has them now."""
    if communities is None:
        communities = [c["id"] for c in client("households", SYSTEM).get("/communities", params={"street_id": street_id})]
    newest: dict[str, Report] = {}
    for r in Report.objects(kind="community", place_id__in=list(communities), month=month).order_by(
            "report_version").only("place_id", "report_version", "number", "issued_at"):
        newest[r.place_id] = r
    return [{"community_id": cid, "report": {"number": newest[cid].number, "version": newest[cid].report_version,
                                              "issued_at": newest[cid].issued_at} if cid in newest else None}
            for cid in communities]
