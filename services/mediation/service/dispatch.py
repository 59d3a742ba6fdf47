"""The desk's own steps for requests and incidents: dispatch (分拨), handling (处置), verification (核查), and a new
feedback link for a reprinted receipt. A dispute goes none of these ways (409): it is mediated and closed.

Who may: staff of the case's community dispatch; the person it is dispatched to (or staff, who record a
department's answer) handle; the first-contact owner or staff verify. Sent back, the case opens a new round to
the same target.
"""
import uuid

from services.mediation import events
from services.mediation.config import SETTINGS
from services.mediation.models import Dispatch, Dispute, Verification
from services.mediation.rules import changeable, of_kind
from services.mediation.service.case_file import dispute, managed, staff_of, step
from services.mediation.service.feedback import open_feedback_link
from services.mediation.service.surveys import open_link
from shared import clock
from shared.clock import now
from shared.errors import Forbidden, Invalid
from shared.events.mediation import DESK_KINDS
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons


def may_handle(actor: Principal, d: Dispute) -> bool:
    """The person the case is dispatched to, or staff of its community (who record a department's answer)."""
    return staff_of(actor, d) or actor.user_id == d.handler_id


def may_verify(actor: Principal, d: Dispute) -> bool:
    """The reporter (first-contact owner) or staff of the case's community."""
    return staff_of(actor, d) or actor.user_id == d.owner_id


def _round(d: Dispute, *, target, department, user_id, user_name, due_on, note, actor: Principal) -> Dispatch:
    return Dispatch(dispatch_id=uuid.uuid4().hex[:10], round=len(d.dispatches) + 1, target=target,
                    department=department, user_id=user_id, user_name=user_name, due_on=due_on, note=note,
                    at=now(), by=actor.user_id, by_name=actor.name)


def dispatch_case(*, actor: Principal, case_id: str, target: str, department: str | None = None,
                  user_id: str | None = None, user_name: str | None = None, due_on=None,
                  note: str | None = None) -> Dispute:
    """Dispatch a registered request or incident to a department or a person, due on its own date."""
    d = managed(actor, case_id, "cases.dispatch")
    of_kind(d, DESK_KINDS, "dispatched")
    changeable(d, ("registered",), "dispatched")
    if target == "department":
        if not department:
            raise Invalid(reasons.DISPATCH_DEPARTMENT_NEEDED(), field="department")
        if department not in SETTINGS.DISPATCH_DEPARTMENTS:
            raise Invalid(reasons.DEPARTMENT_UNKNOWN(department=department), field="department")
        user_id = user_name = None
    else:
        if not user_id or not user_name:
            raise Invalid(reasons.DISPATCH_PERSON_NEEDED(), field="user_id")
        department = None
    today = clock.today()
    # A case already past its due date is still dispatched: then today is the latest a round may be due.
    latest = max(d.due_on, today)
    due_on = due_on or latest
    if due_on < today or due_on > latest:
        raise Invalid(reasons.DISPATCH_DUE_RANGE(due_on=latest.isoformat()), field="due_on")
    x = _round(d, target=target, department=department, user_id=user_id, user_name=user_name, due_on=due_on,
               note=note, actor=actor)
    d.dispatches.append(x)
    d.handler_id = user_id
    d.status = "dispatched"
    step(d, actor, "dispatched", dispatch_id=x.dispatch_id, round=x.round, target=target, department=department,
         user_id=user_id, user_name=user_name, due_on=due_on, on=today)
    return commit(d, events.dispatched(d, actor.user_id, x))


def handle_case(*, actor: Principal, case_id: str, handling: str, handled_on=None) -> Dispute:
    """Record what was done (the text the resident reads); the case then waits for verification."""
    d = dispute(actor, case_id, "cases.handle")
    of_kind(d, DESK_KINDS, "handled")
    changeable(d, ("dispatched",), "handled")
    x = d.current_dispatch()
    if not may_handle(actor, d):
        raise Forbidden(reasons.HANDLER_ONLY())
    today = clock.today()
    handled_on = handled_on or today
    if handled_on > today or handled_on < d.registered_on:
        raise Invalid(reasons.NOT_SINCE_REGISTRATION(), field="handled_on")
    x.state, x.handled_on, x.handled_by, x.handled_by_name = "handled", handled_on, actor.user_id, actor.name
    x.handling, x.on_time = handling, handled_on <= x.due_on
    d.status = "handled"
    step(d, actor, "handled", dispatch_id=x.dispatch_id, round=x.round, on=handled_on, on_time=x.on_time)
    return commit(d, events.handled(d, actor.user_id, x))


def verify_case(*, actor: Principal, case_id: str, passed: bool,
                note: str | None = None) -> tuple[Dispute, str | None]:
    """Check the handling: passed closes the case and opens the survey (returns its token); else a new round opens."""
    d = dispute(actor, case_id, "cases.verify")
    of_kind(d, DESK_KINDS, "verified")
    changeable(d, ("handled",), "verified")
    if not may_verify(actor, d):
        raise Forbidden(reasons.VERIFIER_ONLY())
    if not passed and not note:
        raise Invalid(reasons.SEND_BACK_REASON_NEEDED(), field="note")
    x = d.current_dispatch()
    today = clock.today()
    d.verifications.append(Verification(dispatch_id=x.dispatch_id, passed=passed, note=note, at=now(),
                                        by=actor.user_id, by_name=actor.name))
    if passed:
        x.state = "verified"
        d.status, d.closed_on, d.closed_by, d.close_note = "closed", today, actor.user_id, note
        token = open_link(d)
        step(d, actor, "verified", dispatch_id=x.dispatch_id, round=x.round)
        step(d, actor, "closed", note=note)
        return commit(d, events.verified(d, actor.user_id), events.closed(d, actor.user_id)), token
    x.state, x.sent_back_reason = "sent_back", note
    # The new round keeps the old one's date while it is still ahead; past it, the case's own due date.
    again = _round(d, target=x.target, department=x.department, user_id=x.user_id, user_name=x.user_name,
                   due_on=x.due_on if x.due_on >= today else d.due_on, note=x.note, actor=actor)
    d.dispatches.append(again)
    d.status = "dispatched"
    step(d, actor, "sent_back", dispatch_id=x.dispatch_id, round=x.round, reason=note, next_round=again.round,
         due_on=again.due_on, on=today)
    return commit(d, events.sent_back(d, actor.user_id, x)), None


def renew_feedback_link(*, actor: Principal, case_id: str) -> tuple[Dispute, str]:
    """A new feedback link for a reprinted receipt (the old one stops working); returns (case, token)."""
    d = dispute(actor, case_id)
    of_kind(d, DESK_KINDS, "given a feedback link")
    if not may_verify(actor, d):  # who may check the handling may also give the resident a new link
        raise Forbidden(reasons.STAFF_ONLY())
    changeable(d, ("registered", "dispatched", "handled", "paused", "closed"), "given a feedback link")
    token = open_feedback_link(d)
    step(d, actor, "feedback_link_renewed")
    return commit(d), token
