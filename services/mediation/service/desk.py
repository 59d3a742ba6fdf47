"""The service desk (一站式受理): intake of requests for help or service (求助/办事) and of incidents (事件), the
list of cases of every kind, one case as the desk reads it, and a request's call for volunteers.

Intake reuses a dispute's: the applicant is a party from the register (cases.party), the place is checked the same
way (cases.place), the clock starts the same way (cases.opened) and the number is taken only once every check has
passed (cases.numbered). A request's or an incident's receipt carries a feedback link for the resident.
"""
import mongoengine as me

from services.mediation import events, notices, photos
from services.mediation.config import SETTINGS
from services.mediation.models import OPEN, Dispute, HelpRequest, Place
from services.mediation.rules import changeable
from services.mediation.service.case_file import dispute, kind_query, scope_query, staff_of, step
from services.mediation.service.cases import listed, numbered, opened, page_of, party, place, received
from services.mediation.service.dispatch import may_handle, may_verify
from services.mediation.service.feedback import open_feedback_link
from shared import clock
from shared.clock import now
from shared.errors import Conflict, Invalid
from shared.events.mediation import DESK_KINDS, HELP_KINDS, KINDS
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons

NUMBER_PREFIX = {"request": "QZ", "incident": "SJ"}


def _listed(labels: dict) -> list[dict]:
    return [{"code": code, "label": label} for code, label in labels.items()]


def categories(*, actor: Principal) -> dict:
    """The categories of each kind, the departments a case may be dispatched to and what volunteers may help with."""
    actor.require("disputes.read")
    return {**{kind: _listed(notices.category_labels(kind)) for kind in KINDS},
            "departments": _listed(SETTINGS.DISPATCH_DEPARTMENTS),
            "help_kinds": _listed({k: notices.HELP_LABELS[k] for k in HELP_KINDS})}


def department_label(code: str | None) -> str | None:
    """A department's name (a code no longer configured reads as itself)."""
    return SETTINGS.DISPATCH_DEPARTMENTS.get(code, code) if code else None


def _category(kind: str, category: str) -> None:
    if category not in notices.category_labels(kind):
        raise Invalid(reasons.CATEGORY_UNKNOWN(kind=kind, category=category), field="category")


def _help(actor: Principal, d: Dispute, data: dict) -> HelpRequest:
    if data.get("needed_by") and data["needed_by"] < clock.today():
        raise Invalid(reasons.NOT_IN_PAST(), field="needed_by")
    household = next((p.household_id for p in d.parties if p.role == "applicant" and p.household_id), None)
    return HelpRequest(help=data["help"], summary=data["summary"], household_id=household,
                       needed_by=data.get("needed_by"), at=now(), by=actor.user_id)


def register_request(*, actor: Principal, data: dict) -> tuple[Dispute, str]:
    """Register a resident's request for help or service; returns the case and its feedback link's token."""
    actor.require("cases.register")
    received_on = received(data)
    _category("request", data["category"])
    applicant = party(actor, {**data["applicant"], "role": "applicant"})
    community_id, grid_id = place(actor, data.get("grid_id"), data.get("community_id"), [applicant])
    d = opened(actor, received_on, kind="request", community_id=community_id, grid_id=grid_id,
               category=data["category"], description=data["description"], urgency=data["urgency"],
               channel=data["channel"], parties=[applicant])
    if data.get("help"):
        d.help_request = _help(actor, d, data["help"])
    token = open_feedback_link(d)
    numbered(d, NUMBER_PREFIX["request"])
    step(d, actor, "registered", channel=d.channel, due_on=d.due_on)
    raised = [events.registered(d, actor.user_id)]
    if d.help_request:
        raised.append(events.help_requested(d, actor.user_id))
    return commit(d, *raised), token


def _already(actor: Principal, client_id: str | None) -> Dispute | None:
    return Dispute.objects(owner_id=actor.user_id, client_id=client_id).first() if client_id else None


def _gps(data: dict, cleaned) -> tuple[float | None, float | None, str | None]:
    """The point kept with an incident: only if the reporter chose to attach it; the form's, else a photo's."""
    if not data.get("attach_location"):
        return None, None, None
    spot = data.get("place") or {}
    if spot.get("lat") is not None:
        return spot["lat"], spot["lon"], "phone"
    found = next((c.gps for c in cleaned if c.gps), None)
    return (found[0], found[1], "photo") if found else (None, None, None)


def register_incident(*, actor: Principal, data: dict, files=()) -> tuple[Dispute, str | None, bool]:
    """Register an incident a grid worker found (photos cleaned before anything is written).

    Returns (case, feedback token, created): the same client_id again from the same reporter finds the case it
    made (no token: the link was on the first receipt) instead of making a second."""
    actor.require("cases.register")
    found = _already(actor, data.get("client_id"))
    if found is not None:
        return dispute(actor, str(found.pk)), None, False
    _category("incident", data["category"])
    spot = data.get("place") or {}
    if not (spot.get("building") or spot.get("text")):
        raise Invalid(reasons.INCIDENT_PLACE_NEEDED(), field="place")
    community_id, grid_id = place(actor, data["grid_id"], None, [])
    if len(files) > SETTINGS.PHOTOS_PER_CASE:
        raise Invalid(reasons.PHOTO_LIMIT(n=SETTINGS.PHOTOS_PER_CASE), field="photos")
    cleaned = [photos.clean(f) for f in files]
    lat, lon, gps_from = _gps(data, cleaned)
    d = opened(actor, clock.today(), kind="incident", community_id=community_id, grid_id=grid_id,
               category=data["category"], description=data["description"], urgency=data["urgency"],
               channel="grid_report", client_id=data.get("client_id"),
               place=Place(building=spot.get("building"), text=spot.get("text"), lat=lat, lon=lon,
                           gps_from=gps_from))
    token = open_feedback_link(d)
    numbered(d, NUMBER_PREFIX["incident"])
    step(d, actor, "registered", channel=d.channel, due_on=d.due_on, photos=len(cleaned))
    try:
        with photos.kept(cleaned, case_id=str(d.pk), by=actor.user_id) as stored:
            d.photos = stored
            return commit(d, events.registered(d, actor.user_id)), token, True
    except me.NotUniqueError:  # the same report arrived twice at once: the other one made the case
        again = _already(actor, data.get("client_id"))
        if again is None:
            raise
        return dispute(actor, str(again.pk)), None, False


# ---- reading -----------------------------------------------------------------------------------

def allowed(actor: Principal, d: Dispute) -> dict:
    """Which of the desk's steps the caller may take on the case now (what the pages offer): the rules the steps
    themselves check (service/dispatch.py)."""
    desk = d.kind in DESK_KINDS
    return {
        "dispatch": desk and d.status == "registered" and actor.may("cases.dispatch") and staff_of(actor, d),
        "handle": desk and d.status == "dispatched" and actor.may("cases.handle") and may_handle(actor, d),
        "verify": desk and d.status == "handled" and actor.may("cases.verify") and may_verify(actor, d),
    }


def _verifiable(actor: Principal) -> me.Q:
    where = me.Q(status="handled", kind__in=list(DESK_KINDS))
    mine = me.Q(owner_id=actor.user_id)
    return where & ((scope_query(actor, personal=False) | mine) if actor.may("cases.dispatch") else mine)


def list_cases(*, actor: Principal, kind=None, community_id=None, grid_id=None, status="open", category=None,
               mine=None, overdue=None, escalated=None, q=None, sort="due", page=1, page_size=50) -> dict:
    """A page of the cases of every kind (or one) in the caller's view."""
    actor.require("disputes.read")
    where = scope_query(actor) & kind_query(kind) & listed(
        community_id=community_id, grid_id=grid_id, category=category, status=status, overdue=overdue)
    if mine == "first_contact":
        where &= me.Q(owner_id=actor.user_id)
    elif mine == "handler":
        where &= me.Q(handler_id=actor.user_id)
    elif mine == "verify":
        where &= _verifiable(actor)
    if escalated is not None:
        where &= me.Q(major=escalated)
    return page_of(where, q=q, sort=sort, page=page, page_size=page_size)


def get_case(*, actor: Principal, case_id: str) -> Dispute:
    """One case of any kind, parties' phones masked."""
    return dispute(actor, case_id)


def request_help(*, actor: Principal, case_id: str, help: str, summary: str, needed_by=None) -> Dispute:
    """Ask volunteers to help the applicant of a request (once): the volunteers service opens a need."""
    d = dispute(actor, case_id, "cases.register")
    if d.kind != "request":
        raise Conflict(reasons.HELP_REQUESTS_ONLY(), field="kind")
    changeable(d, OPEN, "asked for help")
    if d.help_request:
        raise Conflict(reasons.HELP_ALREADY(), field="help")
    d.help_request = _help(actor, d, {"help": help, "summary": summary, "needed_by": needed_by})
    step(d, actor, "help_requested", help=help)
    return commit(d, events.help_requested(d, actor.user_id))
