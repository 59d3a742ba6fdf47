"""Certificates of volunteer service (志愿服务证明): issued over a period's hours, with a serial anyone can check,
revoked when issued in error."""
import secrets
from datetime import date

import mongoengine as me
from pymongo import ReturnDocument

from services.volunteers import events
from services.volunteers.documents import render_certificate
from services.volunteers.models import Certificate, HoursEntry
from services.volunteers.register_copy import community_copy
from services.volunteers.rules import SERIAL_CHECK, mask_name, serial_for
from services.volunteers.service import access
from services.volunteers.service.hours import not_future
from services.volunteers.service.people import by_personal_token
from shared import clock
from shared.clock import aware, now
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.permissions import COMMUNITY_ROLES
from shared.reasons import volunteers as reasons


def _next_serial(year: int) -> str:
    row = me.get_db()["serials"].find_one_and_update({"_id": f"certificate-{year}"}, {"$inc": {"n": 1}},
                                                      upsert=True, return_document=ReturnDocument.AFTER)
    check = "".join(secrets.choice(SERIAL_CHECK) for _ in range(4))
    return serial_for(year, row["n"], check)


def issue_certificate(*, actor: Principal, volunteer_id: str, period_from: date, period_to: date) -> Certificate:
    """Issue a 志愿服务证明 for a volunteer's hours over a period, with a serial that anyone can verify."""
    v = access.volunteer(actor, volunteer_id, "certificates.issue")
    access.require_leads(actor, v.team_ids, "issue this volunteer's certificate")
    not_future(period_to, field="period_to")
    lines = HoursEntry.objects(volunteer_id=str(v.pk), served_on__gte=period_from, served_on__lte=period_to)
    hours = round(lines.sum("delta") or 0.0, 2)
    if hours <= 0:
        raise Invalid(reasons.NO_HOURS_IN_PERIOD(), field="period_from")
    community = community_copy(v.community_id)
    for _ in range(3):
        cert = Certificate(serial=_next_serial(clock.today().year), volunteer_id=str(v.pk), volunteer_name=v.name,
                           community_id=v.community_id, community_name=community.display_name,
                           period_from=period_from, period_to=period_to, hours=hours,
                           entries=lines.filter(source__ne="correction").count(), issued_by=actor.user_id,
                           issued_by_name=actor.name or None)
        try:
            return commit(cert, events.certificate_issued(cert))
        except me.NotUniqueError:
            continue
    raise Conflict(reasons.NO_SERIAL())


def list_certificates(*, actor: Principal, community_id=None, volunteer_id=None) -> list[Certificate]:
    """Certificates of a volunteer or a community, newest first."""
    if volunteer_id:
        v = access.volunteer(actor, volunteer_id)
        query = Certificate.objects(volunteer_id=str(v.pk))
    else:
        access.in_community(actor, community_id, "volunteers.read")
        query = Certificate.objects(community_id=community_id)
    return list(query.exclude("outbox").order_by("-issued_at").limit(1000))


def get_certificate(*, actor: Principal, certificate_id: str) -> Certificate:
    """One certificate."""
    return access.certificate(actor, certificate_id)


def revoke_certificate(*, actor: Principal, certificate_id: str, reason: str) -> Certificate:
    """Revoke a certificate (issued in error); verification then says so."""
    cert = access.certificate(actor, certificate_id, "certificates.issue")
    if actor.role not in COMMUNITY_ROLES:
        raise Forbidden(reasons.REVOKE_BY_STAFF())
    if cert.status == "revoked":
        raise Conflict(reasons.ALREADY_REVOKED())
    cert.status, cert.revoked_at, cert.revoked_by, cert.revoked_reason = "revoked", now(), actor.user_id, reason
    return commit(cert)


def certificate_pdf(*, actor: Principal, certificate_id: str) -> tuple[Certificate, bytes]:
    """The certificate as PDF."""
    cert = access.certificate(actor, certificate_id)
    return cert, render_certificate(cert)


def own_certificate_pdf(*, token: str, serial: str) -> tuple[Certificate, bytes]:
    """A volunteer downloads their own certificate through their personal link."""
    v = by_personal_token(token)
    cert = Certificate.objects(serial=(serial or "").strip().upper(), volunteer_id=str(v.pk)).first()
    if cert is None:
        raise NotFound(reasons.NOT_YOUR_CERTIFICATE())
    return cert, render_certificate(cert)


def verify_certificate(*, serial: str) -> dict:
    """Public check of a serial: masked name, hours, period, issuer, valid or revoked."""
    cert = Certificate.objects(serial=(serial or "").strip().upper()).first()
    if cert is None:
        raise NotFound(reasons.NO_SUCH_SERIAL(), field="serial")
    return {"serial": cert.serial, "status": cert.status, "name": mask_name(cert.volunteer_name),
            "hours": cert.hours, "period_from": cert.period_from, "period_to": cert.period_to,
            "community_name": cert.community_name, "issued_at": aware(cert.issued_at),
            "revoked_at": aware(cert.revoked_at)}
