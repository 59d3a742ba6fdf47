"""Self-reported service: a volunteer reports what they did through their personal link; a leader approves it
(its hours go to the ledger) or rejects it, saying why."""
from datetime import timedelta

import mongoengine as me
from bson import ObjectId

from services.volunteers.models import ServiceReport, VolunteerRecord
from services.volunteers.service import access
from services.volunteers.service.hours import not_future, record
from services.volunteers.service.people import by_personal_token
from shared import clock
from shared.clock import now
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.reasons import volunteers as reasons


def report_service(*, token: str, data: dict) -> ServiceReport:
    """A volunteer reports service they did, through their personal link; a team leader decides."""
    v = by_personal_token(token)
    if v.status != "registered":
        raise Conflict(reasons.ONLY_REGISTERED_REPORT())
    not_future(data["served_on"])
    if data["served_on"] < clock.today() - timedelta(days=366):
        raise Invalid(reasons.REPORT_WITHIN_YEAR(), field="served_on")
    team_id = data.get("team_id")
    if team_id and team_id not in v.team_ids:
        raise Invalid(reasons.NOT_IN_TEAM(), field="team_id")
    report = ServiceReport(volunteer_id=str(v.pk), volunteer_name=v.name, community_id=v.community_id, team_id=team_id,
                           served_on=data["served_on"], hours=round(data["hours"], 2), description=data["description"])
    report.save(force_insert=True)
    return report


def _decidable(actor: Principal, report_id: str) -> tuple[ServiceReport, VolunteerRecord]:
    report, v = access.with_volunteer(ServiceReport, report_id, actor=actor, what="report", permission="hours.manage")
    access.require_leads(actor, [report.team_id] if report.team_id else v.team_ids, "decide on this report")
    return report, v


def list_reports(*, actor: Principal, community_id: str, status: str = "pending") -> list[ServiceReport]:
    """Self-reported service waiting for a decision (or decided), oldest first."""
    access.in_community(actor, community_id, "hours.manage")
    query = ServiceReport.objects(community_id=community_id, status=status)
    if actor.role == "team_leader":
        led = access.led_team_ids(actor, community_id)
        members = VolunteerRecord.objects(community_id=community_id, team_ids__in=led).scalar("id")
        query = query.filter(me.Q(team_id__in=led) | me.Q(team_id=None, volunteer_id__in=[str(m) for m in members]))
    return list(query.order_by("created_at").limit(500))


def _decide(report: ServiceReport, actor: Principal, status: str, note: str | None) -> ServiceReport:
    decided = ServiceReport.objects(pk=report.pk, status="pending").modify(
        new=True, set__status=status, set__decided_by=actor.user_id, set__decided_at=now(), set__decision_note=note)
    if decided is None:
        raise Conflict(reasons.REPORT_DECIDED(status=report.reload().status))
    return decided


def approve_report(*, actor: Principal, report_id: str, note: str | None = None) -> ServiceReport:
    """Approve self-reported service: its hours go to the ledger."""
    report, v = _decidable(actor, report_id)
    return record_approved(report=_decide(report, actor, "approved", note), volunteer=v)


def record_approved(*, report: ServiceReport, volunteer: VolunteerRecord | None = None) -> ServiceReport:
    """Put an approved report's hours in the ledger (safe to repeat: once per report)."""
    v = volunteer or VolunteerRecord.objects.get(pk=ObjectId(report.volunteer_id))
    entry, _ = record(v, source="self_report", source_ref=str(report.pk), source_key=f"report|{report.pk}",
                      served_on=report.served_on, hours=report.hours, note=report.description,
                      by=report.decided_by or "", team_id=report.team_id)
    ServiceReport.objects(pk=report.pk).update_one(set__entry_id=str(entry.pk))
    report.entry_id = str(entry.pk)
    return report


def reject_report(*, actor: Principal, report_id: str, note: str) -> ServiceReport:
    """Reject self-reported service, saying why."""
    report, _ = _decidable(actor, report_id)
    return _decide(report, actor, "rejected", note)


def repair_approved_reports() -> int:
    """Finish approvals cut off between the decision and the ledger line."""
    done = 0
    for report in ServiceReport.objects(status="approved", entry_id=None):
        record_approved(report=report)
        done += 1
    return done
