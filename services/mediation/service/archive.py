"""The end of a case: a dispute closed once resolved (a request or incident closes by verification, in dispatch.py),
the survey opens; then archived under a year's archive number, whatever its kind."""
from services.mediation import events
from services.mediation.models import Dispute
from services.mediation.rules import changeable, of_kind
from services.mediation.service.case_file import handled, managed, next_number, step
from services.mediation.service.surveys import open_link
from shared import clock
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons


def close_dispute(*, actor: Principal, dispute_id: str, note: str | None = None) -> tuple[Dispute, str]:
    """Close a resolved case and open the applicant's satisfaction survey; returns (case, link token)."""
    d = handled(actor, dispute_id)
    of_kind(d, ("dispute",), "closed", reason=reasons.CLOSES_BY_VERIFICATION)
    changeable(d, ("resolved",), "closed (record the outcome first)")
    d.status, d.closed_on, d.closed_by, d.close_note = "closed", clock.today(), actor.user_id, note
    token = open_link(d)
    step(d, actor, "closed", note=note)
    return commit(d, events.closed(d, actor.user_id)), token


def archive(*, actor: Principal, dispute_id: str) -> Dispute:
    """Archive a closed case under a year-based archive number; from then on it only takes annotations."""
    d = managed(actor, dispute_id, "disputes.archive")
    changeable(d, ("closed",), "archived (close it first)")
    today = clock.today()
    d.archive_number = next_number("GD", today.year)
    d.status, d.archived_on, d.archived_by = "archived", today, actor.user_id
    step(d, actor, "archived", archive_number=d.archive_number,
         survey="answered" if d.survey and d.survey.answered_at else "unanswered")
    return commit(d, events.archived(d, actor.user_id))
