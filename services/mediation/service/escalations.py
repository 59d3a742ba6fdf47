"""Major cases: the special report (个案专报) to the community and the street, automatic or by hand."""
from services.mediation import documents, events
from services.mediation.models import OPEN, Dispute, Escalation
from services.mediation.rules import changeable
from services.mediation.service.case_file import dispute, step
from shared.clock import now
from shared.errors import Conflict
from shared.events import Event
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as _reasons


def escalation(d: Dispute, actor: Principal, why: list[str], note: str | None, *, automatic: bool) -> Event:
    """Mark the case major and report it to the community and the street; returns the event to commit with it."""
    d.major = True
    d.escalation = Escalation(reasons=why, levels=["community", "street"], note=note,
                              households_involved=d.households_involved, automatic=automatic,
                              by=actor.user_id, by_name=actor.name, at=now())
    step(d, actor, "escalated", reasons=why, automatic=automatic)
    return events.escalated(d, actor.user_id)


def escalate(*, actor: Principal, dispute_id: str, reasons: list[str], note: str | None = None,
             households_involved: int | None = None) -> Dispute:
    """Report a major case specially (个案专报) to the community and street."""
    d = dispute(actor, dispute_id, "disputes.escalate")
    changeable(d, OPEN, "escalated")
    if d.major:
        raise Conflict(_reasons.ALREADY_ESCALATED())
    if households_involved:
        d.households_involved = max(d.households_involved or 0, households_involved)
    return commit(d, escalation(d, actor, reasons, note, automatic=False))


def special_report_pdf(*, actor: Principal, dispute_id: str) -> tuple[str, bytes]:
    """The 个案专报 of an escalated case: (file name, bytes)."""
    d = dispute(actor, dispute_id)
    if not d.major or not d.escalation:
        raise Conflict(_reasons.NOT_ESCALATED())
    return f"{d.number}-个案专报.pdf", documents.special_report(d)
