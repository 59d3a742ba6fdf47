"""Referrals: a case sent to administrative or judicial mediation, or an agreement for judicial confirmation."""
import uuid

from services.mediation import events
from services.mediation.models import Dispute, Outcome, Referral
from services.mediation.rules import REFERRAL_RESULTS, changeable, end_pause, of_kind
from services.mediation.service.case_file import handled, step
from shared import clock
from shared.clock import now
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import mediation as reasons


def refer(*, actor: Principal, dispute_id: str, kind: str, to_body: str, reason: str | None = None) -> Dispute:
    """Refer the case to administrative or judicial mediation, or an agreement for judicial confirmation."""
    d = handled(actor, dispute_id)
    of_kind(d, ("dispute",), "referred")
    if kind == "judicial_confirmation":
        changeable(d, ("resolved",), "sent for judicial confirmation")
        if d.outcome.kind != "agreement":
            raise Conflict(reasons.CONFIRM_AGREEMENT_ONLY(), field="kind")
        if d.judicial_confirmation:
            raise Conflict(reasons.ALREADY_CONFIRMED(), field="kind")
    else:
        changeable(d, ("registered", "assigned", "paused"), "referred")
    today = clock.today()
    end_pause(d, actor.user_id, today)
    referral = Referral(referral_id=uuid.uuid4().hex[:10], kind=kind, to_body=to_body, reason=reason,
                        referred_on=today, by=actor.user_id, resume_status=d.status)
    d.referrals.append(referral)
    d.status = "referred"
    step(d, actor, "referred", kind=kind, to_body=to_body, reason=reason)
    return commit(d, events.referred(d, actor.user_id, referral))


def record_referral_return(*, actor: Principal, dispute_id: str, referral_id: str, result: str, note=None,
                           returned_on=None) -> Dispute:
    """Record what came back from the body the case was referred to."""
    d = handled(actor, dispute_id)
    changeable(d, ("referred",), "given a referral result")
    referral = next((r for r in d.referrals if r.referral_id == referral_id), None)
    if referral is None:
        raise NotFound(reasons.REFERRAL_NOT_FOUND(id=referral_id))
    if referral.result:
        raise Conflict(reasons.REFERRAL_RETURNED())
    expected = REFERRAL_RESULTS[referral.kind]
    if result not in expected:
        raise Invalid(reasons.REFERRAL_RESULT_WRONG(kind=referral.kind, results=", ".join(expected)), field="result")
    today = clock.today()
    returned_on = returned_on or today
    if returned_on > today or returned_on < referral.referred_on:
        raise Invalid(reasons.NOT_SINCE_REFERRAL(), field="returned_on")
    referral.result, referral.note, referral.returned_on, referral.returned_by = result, note, returned_on, actor.user_id
    raised = []
    d.status = "resolved"
    if referral.kind == "judicial_confirmation":
        d.judicial_confirmation = result
        raised.append(events.referral_returned(d, actor.user_id, referral))
    else:
        d.outcome = Outcome(kind="referred", referral_result=result, summary=note, decided_on=returned_on,
                            by=actor.user_id, at=now())
        raised += [events.referral_returned(d, actor.user_id, referral), events.resolved(d, actor.user_id)]
    step(d, actor, "referral_returned", kind=referral.kind, result=result)
    return commit(d, *raised)
