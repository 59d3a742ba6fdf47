"""Extensions of a case's clock: the handler requests more working days, community staff approve or refuse.

Only an approved extension moves the due date (and re-arms the due-soon and overdue warnings for the new one);
a case has at most MAX_EXTENSIONS approved extensions, and one request waits for a decision at a time.
"""
from services.mediation import events
from services.mediation.config import SETTINGS
from services.mediation.models import Dispute, Extension
from services.mediation.rules import changeable, rearm, recompute_due
from services.mediation.service.case_file import handled, managed, step
from shared.clock import now
from shared.errors import Conflict, Forbidden, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons

# A request's or an incident's clock runs while it is dispatched, as a dispute's does while assigned.
STEERABLE = ("registered", "assigned", "dispatched", "paused")


def _approved(d: Dispute) -> int:
    return sum(1 for e in d.extensions if e.status == "approved")


def request_extension(*, actor: Principal, dispute_id: str, working_days: int, reason: str) -> Dispute:
    """The handler asks for more working days with a reason; the due date waits for community staff's decision."""
    d = handled(actor, dispute_id)
    changeable(d, STEERABLE, "extended")
    if d.pending_extension():
        raise Conflict(reasons.EXTENSION_PENDING())
    limit = SETTINGS.MAX_EXTENSIONS
    if _approved(d) >= limit:
        raise Conflict(reasons.EXTENSION_LIMIT(n=limit), field="working_days")
    extension = Extension(working_days=working_days, reason=reason, by=actor.user_id, by_name=actor.name, at=now(),
                          status="pending", due_before=d.due_on)
    d.extensions.append(extension)
    step(d, actor, "extension_requested", working_days=working_days, reason=reason)
    return commit(d, events.extension_requested(d, actor.user_id, extension, approved=_approved(d), limit=limit))


def decide_extension(*, actor: Principal, dispute_id: str, approve: bool, reason: str | None = None) -> Dispute:
    """Community staff approve (the due date moves, warnings re-arm) or refuse the waiting request, with a reason."""
    d = managed(actor, dispute_id, "disputes.approve")
    changeable(d, STEERABLE, "extended")
    extension = d.pending_extension()
    if extension is None:
        raise Conflict(reasons.NO_PENDING_EXTENSION())
    if extension.by == actor.user_id:
        raise Forbidden(reasons.OWN_EXTENSION())
    if not (reason or "").strip():
        raise Invalid(reasons.DECISION_REASON_NEEDED(), field="reason")
    if approve and _approved(d) >= SETTINGS.MAX_EXTENSIONS:  # the limit may have been lowered since the request
        raise Conflict(reasons.EXTENSION_LIMIT(n=SETTINGS.MAX_EXTENSIONS))
    extension.decided_by, extension.decided_by_name, extension.decided_at = actor.user_id, actor.name, now()
    extension.decision_reason = reason
    if not approve:
        extension.status = "refused"
        step(d, actor, "extension_refused", working_days=extension.working_days, reason=reason)
        return commit(d, events.extension_refused(d, actor.user_id, extension))
    extension.status = "approved"
    before = d.due_on
    recompute_due(d)
    rearm(d, before)
    extension.due_before, extension.due_after = before, d.due_on
    step(d, actor, "extended", working_days=extension.working_days, reason=extension.reason,
         decision_reason=reason, due_on=d.due_on)
    return commit(d, events.extended(d, actor.user_id, extension))
