"""Handling a case: its mediator, the clock (pauses; extensions are in extensions.py), sessions and the outcome."""
import uuid

from services.mediation import events
from services.mediation.models import (
    CLOCK_RUNNING,
    Assignment,
    Attendance,
    Dispute,
    Mediator,
    Outcome,
    Pause,
    Session,
)
from services.mediation.rules import EDITABLE, changeable, end_pause, of_kind
from services.mediation.service.case_file import handled, managed, step
from shared import clock
from shared.clock import now
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons


def assign_mediator(*, actor: Principal, dispute_id: str, mediator_id: str, reason: str | None = None) -> Dispute:
    """Assign (or reassign) the case to a mediator of its community; the history keeps every assignment."""
    d = managed(actor, dispute_id, "disputes.assign")
    of_kind(d, ("dispute",), "assigned a mediator")
    changeable(d, EDITABLE, "assigned")
    m = Mediator.objects(pk=mediator_id, active=True).first()
    if m is None or d.community_id not in m.community_ids:
        raise Invalid(reasons.NOT_A_MEDIATOR_HERE(mediator_id=mediator_id, community_id=d.community_id),
                      field="mediator_id")
    if d.mediator_id == m.pk:
        raise Conflict(reasons.ALREADY_ASSIGNED(), field="mediator_id")
    if d.mediator_id and not reason:
        raise Invalid(reasons.REASSIGN_REASON_NEEDED(), field="reason")
    previous = d.mediator_id
    d.assignments.append(Assignment(mediator_id=m.pk, mediator_name=m.name, at=now(), by=actor.user_id,
                                    by_name=actor.name, reason=reason))
    d.mediator_id, d.mediator_name = m.pk, m.name
    if d.status == "registered":
        d.status = "assigned"
    elif d.status == "paused" and d.resume_status == "registered":
        d.resume_status = "assigned"
    elif d.status == "referred" and d.referrals[-1].resume_status == "registered":
        d.referrals[-1].resume_status = "assigned"
    step(d, actor, "reassigned" if previous else "assigned", mediator_id=m.pk, mediator_name=m.name,
         previous_mediator_id=previous, reason=reason)
    return commit(d, events.assigned(d, actor.user_id, previous_mediator_id=previous, reason=reason))


def pause_clock(*, actor: Principal, dispute_id: str, reason: str) -> Dispute:
    """Stop the clock (e.g. waiting for a party); the reason is shown on the case."""
    d = handled(actor, dispute_id)
    changeable(d, CLOCK_RUNNING, "paused")
    pause = Pause(started_on=clock.today(), reason=reason, by=actor.user_id)
    d.pauses.append(pause)
    d.status, d.resume_status = "paused", d.status
    step(d, actor, "paused", reason=reason)
    return commit(d, events.paused(d, actor.user_id, pause))


def resume_clock(*, actor: Principal, dispute_id: str) -> Dispute:
    """Start the clock again; the due date moves by the working days paused."""
    d = handled(actor, dispute_id)
    changeable(d, ("paused",), "resumed")
    pause = end_pause(d, actor.user_id, clock.today())
    step(d, actor, "resumed", paused_working_days=pause.working_days, due_on=d.due_on)
    return commit(d, events.resumed(d, actor.user_id, pause))


def record_session(*, actor: Principal, dispute_id: str, data: dict) -> Dispute:
    """Record a mediation session with attendance and notes."""
    d = handled(actor, dispute_id)
    changeable(d, ("assigned",), "mediated (resume the clock or assign a mediator first)")
    held_on = data.get("held_on") or clock.today()
    if held_on > clock.today() or held_on < d.registered_on:
        raise Invalid(reasons.NOT_SINCE_REGISTRATION(), field="held_on")
    known = {p.party_id for p in d.parties}
    unknown = [a["party_id"] for a in data["attendance"] if a["party_id"] not in known]
    if unknown:
        raise Invalid(reasons.NOT_A_PARTY(party_ids=", ".join(unknown)), field="attendance")
    session = Session(session_id=uuid.uuid4().hex[:10], held_on=held_on, place=data.get("place"),
                      attendance=[Attendance(**a) for a in data["attendance"]],
                      others_present=data.get("others_present", []), notes=data.get("notes", ""),
                      by=actor.user_id, by_name=actor.name, at=now())
    d.sessions.append(session)
    step(d, actor, "session_held", session_id=session.session_id, held_on=held_on)
    return commit(d, events.session_held(d, actor.user_id, session))


def record_outcome(*, actor: Principal, dispute_id: str, kind: str, terms=(), summary=None, decided_on=None) -> Dispute:
    """Record the result: agreement (with terms, for the 调解协议书), no agreement, or withdrawn."""
    d = handled(actor, dispute_id)
    of_kind(d, ("dispute",), "given an outcome")
    changeable(d, ("registered", "assigned", "paused"), "given an outcome")
    today = clock.today()
    decided_on = decided_on or today
    if decided_on > today or decided_on < d.registered_on:
        raise Invalid(reasons.NOT_SINCE_REGISTRATION(), field="decided_on")
    if kind in ("agreement", "no_agreement"):
        if not d.mediator_id:
            raise Conflict(reasons.MEDIATOR_FIRST(), field="kind")
        if not d.sessions:
            raise Conflict(reasons.SESSION_FIRST(), field="kind")
    if kind == "agreement" and len(d.parties) < 2:
        raise Conflict(reasons.TWO_PARTIES(), field="kind")
    end_pause(d, actor.user_id, today)
    d.outcome = Outcome(kind=kind, terms=list(terms), summary=summary, decided_on=decided_on, by=actor.user_id,
                        at=now())
    d.status = "resolved"
    step(d, actor, "resolved", outcome=kind)
    return commit(d, events.resolved(d, actor.user_id))
