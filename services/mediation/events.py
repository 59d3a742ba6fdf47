"""The events the mediation service publishes, built from a case (no names, ID numbers or phones).

A dispute's steps are `dispute.*`; a request's or an incident's are `case.*` (shared/events/mediation.py):
`_event` takes the step's name ("registered") and picks the family from the case's kind.
"""
from shared.events import Event, new_event

SOURCE = "mediation"


def _ref(d, actor_id: str | None) -> dict:
    common = {"number": d.number, "community_id": d.community_id, "grid_id": d.grid_id, "category": d.category,
              "urgency": d.urgency, "status": d.status, "first_contact_id": d.owner_id,
              "due_on": d.due_on.isoformat() if d.due_on else None, "actor_id": actor_id}
    if is_dispute(d):
        return {"dispute_id": str(d.pk), "mediator_id": d.mediator_id, **common}
    return {"case_id": str(d.pk), "kind": d.kind, "handler_id": d.handler_id, **common}


def is_dispute(d) -> bool:
    return d.kind == "dispute"


def _event(d, step: str, actor_id: str | None = None, **data) -> Event:
    """The event of a case's step: `dispute.<step>` for a dispute, `case.<step>` for a request or an incident."""
    event_type = step if "." in step else f"{'dispute' if is_dispute(d) else 'case'}.{step}"
    body = {**_ref(d, actor_id), **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}}
    return new_event(event_type, version=1, data=body, source=SOURCE, community_id=d.community_id, grid_id=d.grid_id)


def registered(d, actor_id) -> Event:
    households = sorted({p.household_id for p in d.parties if p.household_id})
    return _event(d, "registered", actor_id, channel=d.channel, registered_on=d.registered_on,
                  party_count=len(d.parties), household_ids=households, major=d.major)


def assigned(d, actor_id, *, previous_mediator_id, reason) -> Event:
    return _event(d, "assigned", actor_id, previous_mediator_id=previous_mediator_id, reason=reason)


def paused(d, actor_id, pause) -> Event:
    return _event(d, "paused", actor_id, paused_on=pause.started_on, reason=pause.reason)


def resumed(d, actor_id, pause) -> Event:
    return _event(d, "resumed", actor_id, resumed_on=pause.ended_on, paused_working_days=pause.working_days)


def extended(d, actor_id, extension) -> Event:
    """An approved extension (actor: who approved it): the reason is the handler's, the due date the new one."""
    return _event(d, "extended", actor_id, working_days=extension.working_days, reason=extension.reason)


def extension_requested(d, actor_id, extension, *, approved: int, limit: int) -> Event:
    return _event(d, "extension_requested", actor_id, working_days=extension.working_days,
                  reason=extension.reason, extensions_approved=approved, max_extensions=limit)


def extension_refused(d, actor_id, extension) -> Event:
    return _event(d, "extension_refused", actor_id, working_days=extension.working_days,
                  reason=extension.decision_reason, requested_by=extension.by)


def deadline_warning(d, *, working_days_left: int) -> Event:
    return _event(d, "deadline_warning", None, working_days_left=working_days_left)


def overdue(d, *, since) -> Event:
    return _event(d, "overdue", None, overdue_since=since)


def escalated(d, actor_id) -> Event:
    e = d.escalation
    return _event(d, "escalated", actor_id, reasons=list(e.reasons), levels=list(e.levels),
                  households_involved=e.households_involved, automatic=e.automatic)


def session_held(d, actor_id, session) -> Event:
    present = sum(1 for a in session.attendance if a.present)
    return _event(d, "session_held", actor_id, session_id=session.session_id, held_on=session.held_on,
                  present=present, absent=len(session.attendance) - present)


def resolved(d, actor_id) -> Event:
    o = d.outcome
    return _event(d, "resolved", actor_id, outcome=o.kind, referral_result=o.referral_result,
                  decided_on=o.decided_on)


def referred(d, actor_id, referral) -> Event:
    return _event(d, "referred", actor_id, referral_id=referral.referral_id, kind=referral.kind,
                  to_body=referral.to_body, referred_on=referral.referred_on)


def referral_returned(d, actor_id, referral) -> Event:
    return _event(d, "referral_returned", actor_id, referral_id=referral.referral_id, kind=referral.kind,
                  result=referral.result, returned_on=referral.returned_on)


def closed(d, actor_id) -> Event:
    outcome = {"outcome": d.outcome.kind} if is_dispute(d) else {}
    return _event(d, "closed", actor_id, closed_on=d.closed_on, survey_open_until=d.survey.open_until, **outcome)


def archived(d, actor_id) -> Event:
    return _event(d, "archived", actor_id, archive_number=d.archive_number, archived_on=d.archived_on)


def satisfaction_recorded(d) -> Event:
    step = "satisfaction.recorded" if is_dispute(d) else "satisfaction_recorded"
    return _event(d, step, None, rating=d.survey.rating, satisfied=d.survey.rating >= 4)


# ---- the desk's own steps (requests and incidents) ----------------------------------------------

def dispatched(d, actor_id, dispatch) -> Event:
    return _event(d, "case.dispatched", actor_id, dispatch_id=dispatch.dispatch_id, target=dispatch.target,
                  department=dispatch.department, dispatch_due_on=dispatch.due_on, round=dispatch.round)


def handled(d, actor_id, dispatch) -> Event:
    return _event(d, "case.handled", actor_id, dispatch_id=dispatch.dispatch_id, handled_on=dispatch.handled_on,
                  on_time=dispatch.handled_on <= dispatch.due_on)


def sent_back(d, actor_id, dispatch) -> Event:
    return _event(d, "case.sent_back", actor_id, dispatch_id=dispatch.dispatch_id, reason=dispatch.sent_back_reason)


def verified(d, actor_id) -> Event:
    return _event(d, "case.verified", actor_id, verified_on=d.closed_on, rounds=len(d.dispatches))


def help_requested(d, actor_id) -> Event:
    h = d.help_request
    return _event(d, "case.help_requested", actor_id, help=h.help, household_id=h.household_id, summary=h.summary,
                  needed_by=h.needed_by)
