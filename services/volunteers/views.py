"""HTTP routes of the volunteers service: load with a schema, call the service, dump. Nothing else.

Routes under /public/ are what the gateway's account-free pages call (role "resident"): the long
random token in the path is the only key. Every other route needs a staff role and checks scope.
"""
from flask import Response

from services.volunteers import report_schemas, rules, service
from services.volunteers import schemas as s
from services.volunteers.documents import verify_url
from shared.schemas import MonthQuery
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("volunteers", __name__, url_prefix="/", description="Volunteers (志愿服务)")

PNG = {"200": {"description": "image", "content": {"image/png": {}}}}
SVG = {"200": {"description": "image", "content": {"image/svg+xml": {}}}}
PDF = {"200": {"description": "PDF document", "content": {"application/pdf": {}}}}


def _pdf(cert, body: bytes) -> Response:
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{cert.serial}.pdf"', "Cache-Control": "no-store"})


def _cert(cert):
    cert.verify_url = verify_url(cert)
    return cert


# ---- public (resident) -------------------------------------------------------------------------

@bp.get("/public/options")
@bp.response(200, s.Options)
def options():
    return rules.options()


@bp.get("/public/links/<token>")
@bp.response(200, s.LinkPublic)
def public_link(token):
    return service.public_link(token=token)


@bp.post("/public/links/<token>/signups")
@bp.arguments(s.SignupCreate)
@bp.response(201, s.SignupResult)
@bp.alt_response(410, description="the link expired or was closed")
def signup(data, token):
    return service.signup(token=token, data=data)


@bp.get("/public/volunteers/<token>")
@bp.response(200, s.VolunteerSelf)
def own_page(token):
    return service.personal_page(token=token)


@bp.post("/public/volunteers/<token>/service-reports")
@bp.arguments(s.ServiceReportCreate)
@bp.response(201, s.OwnReport)
def report_service(data, token):
    return service.report_service(token=token, data=data)


@bp.post("/public/volunteers/<token>/leave")
@bp.arguments(s.LeaveRequest)
@bp.response(200, s.VolunteerSelf)
def leave_self(data, token):
    service.leave_self(token=token, **data)
    return service.own_page(token=token)


@bp.get("/public/volunteers/<token>/certificates/<serial>/pdf")
@bp.doc(responses=PDF)
def own_certificate_pdf(token, serial):
    cert, body = service.own_certificate_pdf(token=token, serial=serial)
    return _pdf(cert, body)


@bp.get("/public/certificates/<serial>")
@bp.response(200, s.CertificateVerified)
def verify_certificate(serial):
    return service.verify_certificate(serial=serial)


# ---- communities -------------------------------------------------------------------------------

@bp.get("/communities")
@bp.response(200, s.CommunityRead(many=True))
def list_communities():
    return service.list_communities(actor=caller())


@bp.put("/communities/<community_id>")
@bp.arguments(s.CommunityUpdate)
@bp.response(200, s.CommunityRead)
def name_community(data, community_id):
    return service.name_community(actor=caller(), community_id=community_id, **data)


@bp.get("/communities/<community_id>/grids")
@bp.response(200, s.GridRead(many=True))
def list_grids(community_id):
    return service.list_grids(actor=caller(), community_id=community_id)


@bp.get("/communities/<community_id>/figures")
@bp.response(200, s.Figures)
def community_figures(community_id):
    return service.community_figures(actor=caller(), community_id=community_id)


@bp.get("/communities/<community_id>/signups-by-month")
@bp.arguments(report_schemas.SignupsQuery, location="query")
@bp.response(200, report_schemas.MonthSignups(many=True))
def signups_by_month(args, community_id):
    return service.signups_by_month(actor=caller(), community_id=community_id, **args)


@bp.get("/reports/month")
@bp.arguments(MonthQuery, location="query")
@bp.response(200, report_schemas.MonthFigures)
def month_figures(args):
    return service.month_figures(actor=caller(), **args)


# ---- links -------------------------------------------------------------------------------------

@bp.post("/links")
@bp.arguments(s.LinkCreate)
@bp.response(201, s.LinkRead)
def create_link(data):
    return service.create_link(actor=caller(), data=data)


@bp.get("/links")
@bp.arguments(s.TeamQuery, location="query")
@bp.response(200, s.LinkRead(many=True))
def list_links(args):
    return service.list_links(actor=caller(), **args)


@bp.get("/links/<link_id>")
@bp.response(200, s.LinkRead)
def get_link(link_id):
    return service.get_link(actor=caller(), link_id=link_id)


@bp.put("/links/<link_id>/capacity")
@bp.arguments(s.LinkCapacity)
@bp.response(200, s.LinkRead)
def set_capacity(data, link_id):
    return service.set_capacity(actor=caller(), link_id=link_id, **data)


@bp.post("/links/<link_id>/close")
@bp.response(200, s.LinkRead)
def close_link(link_id):
    return service.close_link(actor=caller(), link_id=link_id)


@bp.get("/links/<link_id>/qr.svg")
@bp.doc(responses=SVG)
def link_qr_svg(link_id):
    body = service.link_qr(actor=caller(), link_id=link_id, kind="svg")
    return Response(body, mimetype="image/svg+xml")


@bp.get("/links/<link_id>/qr.png")
@bp.doc(responses=PNG)
def link_qr_png(link_id):
    body = service.link_qr(actor=caller(), link_id=link_id, kind="png")
    return Response(body, mimetype="image/png")


# ---- volunteers --------------------------------------------------------------------------------

@bp.get("/volunteers")
@bp.arguments(s.VolunteerQuery, location="query")
@bp.response(200, s.VolunteerPage)
def list_volunteers(args):
    return service.list_volunteers(actor=caller(), **args)


@bp.get("/volunteers/<volunteer_id>")
@bp.response(200, s.VolunteerRead)
def get_volunteer(volunteer_id):
    return service.get_volunteer(actor=caller(), volunteer_id=volunteer_id)


@bp.put("/volunteers/<volunteer_id>")
@bp.arguments(s.VolunteerUpdate)
@bp.response(200, s.VolunteerRead)
def update_volunteer(data, volunteer_id):
    return service.update_volunteer(actor=caller(), volunteer_id=volunteer_id, data=data)


@bp.post("/volunteers/<volunteer_id>/reveal")
@bp.arguments(s.RevealRequest)
@bp.response(200, s.VolunteerRevealed)
def reveal_volunteer(data, volunteer_id):
    return service.reveal_volunteer(actor=caller(), volunteer_id=volunteer_id, **data)


@bp.post("/volunteers/<volunteer_id>/leave")
@bp.arguments(s.LeaveRequest)
@bp.response(200, s.VolunteerRead)
def leave(data, volunteer_id):
    return service.leave(actor=caller(), volunteer_id=volunteer_id, **data)


@bp.post("/volunteers/<volunteer_id>/personal-link")
@bp.response(201, s.PersonalLink)
def issue_personal_link(volunteer_id):
    return service.issue_personal_link(actor=caller(), volunteer_id=volunteer_id)


@bp.get("/signup-claims")
@bp.arguments(s.ClaimQuery, location="query")
@bp.response(200, s.ClaimRead(many=True))
def list_claims(args):
    return service.list_claims(actor=caller(), **args)


@bp.post("/signup-claims/<claim_id>/confirm")
@bp.arguments(s.ClaimDecision)
@bp.response(200, s.ClaimRead)
def confirm_claim(data, claim_id):
    return service.confirm_claim(actor=caller(), claim_id=claim_id, **data)


@bp.post("/signup-claims/<claim_id>/reject")
@bp.arguments(s.ClaimDecision)
@bp.response(200, s.ClaimRead)
def reject_claim(data, claim_id):
    return service.reject_claim(actor=caller(), claim_id=claim_id, **data)


@bp.get("/volunteers/<volunteer_id>/hours")
@bp.response(200, s.Ledger)
def ledger(volunteer_id):
    return service.ledger(actor=caller(), volunteer_id=volunteer_id)


# ---- teams -------------------------------------------------------------------------------------

@bp.post("/teams")
@bp.arguments(s.TeamCreate)
@bp.response(201, s.TeamRead)
def create_team(data):
    return service.create_team(actor=caller(), data=data)


@bp.get("/teams")
@bp.arguments(s.TeamQuery, location="query")
@bp.response(200, s.TeamRead(many=True))
def list_teams(args):
    return service.list_teams(actor=caller(), **args)


@bp.get("/teams/led")
@bp.response(200, s.TeamRead(many=True))
def led_teams():
    return service.led_teams(actor=caller())


@bp.get("/teams/<team_id>")
@bp.response(200, s.TeamRead)
def get_team(team_id):
    return service.get_team(actor=caller(), team_id=team_id)


@bp.put("/teams/<team_id>/leaders")
@bp.arguments(s.TeamLeaders)
@bp.response(200, s.TeamRead)
def set_leaders(data, team_id):
    return service.set_leaders(actor=caller(), team_id=team_id, **data)


@bp.post("/teams/<team_id>/members")
@bp.arguments(s.MemberRequest)
@bp.response(200, s.VolunteerRead)
def add_member(data, team_id):
    return service.add_member(actor=caller(), team_id=team_id, **data)


@bp.delete("/teams/<team_id>/members/<volunteer_id>")
@bp.response(200, s.VolunteerRead)
def remove_member(team_id, volunteer_id):
    return service.remove_member(actor=caller(), team_id=team_id, volunteer_id=volunteer_id)


# ---- needs -------------------------------------------------------------------------------------

@bp.post("/needs")
@bp.arguments(s.NeedCreate)
@bp.response(201, s.NeedRead)
def create_need(data):
    return service.create_need(actor=caller(), data=data)


@bp.get("/needs")
@bp.arguments(s.NeedQuery, location="query")
@bp.response(200, s.NeedPage)
def list_needs(args):
    return service.list_needs(actor=caller(), **args)


@bp.get("/needs/<need_id>")
@bp.response(200, s.NeedRead)
def get_need(need_id):
    return service.get_need(actor=caller(), need_id=need_id)


@bp.get("/needs/<need_id>/matches")
@bp.response(200, s.MatchRead(many=True))
def matches(need_id):
    return service.matches(actor=caller(), need_id=need_id)


@bp.post("/needs/<need_id>/assignments")
@bp.arguments(s.AssignRequest)
@bp.response(200, s.NeedRead)
def confirm_assignments(data, need_id):
    return service.confirm_assignments(actor=caller(), need_id=need_id, **data)


@bp.post("/needs/<need_id>/assignments/<volunteer_id>/cancel")
@bp.response(200, s.NeedRead)
def cancel_assignment(need_id, volunteer_id):
    return service.cancel_assignment(actor=caller(), need_id=need_id, volunteer_id=volunteer_id)


@bp.post("/needs/<need_id>/assignments/<volunteer_id>/complete")
@bp.arguments(s.CompleteRequest)
@bp.response(201, s.HoursEntryRead)
@bp.alt_response(200, schema=s.HoursEntryRead, description="already recorded for this task (and day)")
def complete_assignment(data, need_id, volunteer_id):
    entry, created = service.complete_assignment(actor=caller(), need_id=need_id, volunteer_id=volunteer_id, **data)
    return entry, (201 if created else 200)


@bp.post("/needs/<need_id>/close")
@bp.arguments(s.CloseRequest)
@bp.response(200, s.NeedRead)
def close_need(data, need_id):
    return service.close_need(actor=caller(), need_id=need_id, **data)


# ---- hours and self-reported service -----------------------------------------------------------

@bp.post("/hours/<entry_id>/corrections")
@bp.arguments(s.CorrectionRequest)
@bp.response(201, s.HoursEntryRead)
def correct_hours(data, entry_id):
    return service.correct_hours(actor=caller(), entry_id=entry_id, **data)


@bp.get("/service-reports")
@bp.arguments(s.ServiceReportQuery, location="query")
@bp.response(200, s.ServiceReportRead(many=True))
def list_reports(args):
    return service.list_reports(actor=caller(), **args)


@bp.post("/service-reports/<report_id>/approve")
@bp.arguments(s.DecisionRequest)
@bp.response(200, s.ServiceReportRead)
def approve_report(data, report_id):
    return service.approve_report(actor=caller(), report_id=report_id, **data)


@bp.post("/service-reports/<report_id>/reject")
@bp.arguments(s.RejectRequest)
@bp.response(200, s.ServiceReportRead)
def reject_report(data, report_id):
    return service.reject_report(actor=caller(), report_id=report_id, **data)


# ---- certificates ------------------------------------------------------------------------------

@bp.post("/certificates")
@bp.arguments(s.CertificateCreate)
@bp.response(201, s.CertificateRead)
def issue_certificate(data):
    return _cert(service.issue_certificate(actor=caller(), **data))


@bp.get("/certificates")
@bp.arguments(s.CertificateQuery, location="query")
@bp.response(200, s.CertificateRead(many=True))
def list_certificates(args):
    return [_cert(c) for c in service.list_certificates(actor=caller(), **args)]


@bp.get("/certificates/<certificate_id>")
@bp.response(200, s.CertificateRead)
def get_certificate(certificate_id):
    return _cert(service.get_certificate(actor=caller(), certificate_id=certificate_id))


@bp.post("/certificates/<certificate_id>/revoke")
@bp.arguments(s.RevokeRequest)
@bp.response(200, s.CertificateRead)
def revoke_certificate(data, certificate_id):
    return _cert(service.revoke_certificate(actor=caller(), certificate_id=certificate_id, **data))


@bp.get("/certificates/<certificate_id>/pdf")
@bp.doc(responses=PDF)
def certificate_pdf(certificate_id):
    cert, body = service.certificate_pdf(actor=caller(), certificate_id=certificate_id)
    return _pdf(cert, body)
