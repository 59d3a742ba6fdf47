"""Contracts of the events the mediation service publishes (矛盾纠纷调解 and the service desk, 一站式受理).

The desk registers cases of three KINDS. Disputes publish `dispute.*` as they always have; requests for help
(求助/办事) and incidents (事件) publish the same steps as `case.*`, whose data carries `case_id` and `kind`
instead of `dispute_id` (and `handler_id`, the person a case is dispatched to, instead of `mediator_id`), plus
the desk's own steps: dispatched, handled, sent back, verified, and a request's call for volunteers.

Every dispute event carries the case's place (community_id, grid_id where known) and the user ids of
its first-contact owner (首问责任人) and current mediator, so the gateway can tell them. Events carry
no ID numbers or phone numbers, and no party names: those stay in the mediation service.
"""
from marshmallow import fields, validate

from shared.events.base import Contract

CATEGORIES = ("neighbours", "family", "property_management", "land", "labour", "other")
URGENCIES = ("normal", "urgent")
CHANNELS = ("walk_in", "phone", "grid_report", "referral")
STATUSES = ("registered", "assigned", "dispatched", "handled", "paused", "referred", "resolved", "closed", "archived")
# The desk's own kinds (dispatched, handled, verified) beside disputes (mediated).
DESK_KINDS = ("request", "incident")
KINDS = ("dispute", *DESK_KINDS)
# 求助/办事: what residents come to the service centre for (incidents' categories are a setting of the service).
REQUEST_CATEGORIES = ("subsistence", "elderly_care", "disability", "certificate", "medical_insurance", "employment",
                      "housing", "daily_help", "other")
# What a request may ask volunteers for (a need opened in the volunteers service).
HELP_KINDS = ("groceries", "escort", "visit", "cleaning", "repair", "other")
DISPATCH_TARGETS = ("department", "person")
OUTCOMES = ("agreement", "no_agreement", "withdrawn", "referred")
REFERRAL_KINDS = ("administrative", "judicial", "judicial_confirmation")
REFERRAL_RESULTS = ("settled", "not_settled", "confirmed", "not_confirmed")
ESCALATION_REASONS = ("many_households", "violence_risk", "vulnerable_party", "other")
ESCALATION_LEVELS = ("community", "street")


class _Ref(Contract):
    """What every event of a case carries, whatever its kind: which case, where, and who must hear of it."""

    number = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_id = fields.String(allow_none=True, load_default=None)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    first_contact_id = fields.String(required=True)
    due_on = fields.Date(allow_none=True, load_default=None)
    actor_id = fields.String(allow_none=True, load_default=None)


class DisputeRef(_Ref):
    """What every dispute.* event carries."""

    dispute_id = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    mediator_id = fields.String(allow_none=True, load_default=None)


class DisputeRegistered(DisputeRef):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    registered_on = fields.Date(required=True)
    party_count = fields.Integer(required=True)
    household_ids = fields.List(fields.String(), required=True)
    major = fields.Boolean(required=True)


class DisputeAssigned(DisputeRef):
    previous_mediator_id = fields.String(allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None)


class DisputePaused(DisputeRef):
    paused_on = fields.Date(required=True)
    reason = fields.String(required=True)


class DisputeResumed(DisputeRef):
    resumed_on = fields.Date(required=True)
    paused_working_days = fields.Integer(required=True)


class DisputeExtended(DisputeRef):
    """An extension approved by community staff (actor_id): due_on is the new due date."""

    working_days = fields.Integer(required=True)
    reason = fields.String(required=True)


class ExtensionRequested(DisputeRef):
    """The handler (actor_id) asks community staff for more working days; due_on has not moved."""

    working_days = fields.Integer(required=True)
    reason = fields.String(required=True)
    extensions_approved = fields.Integer(required=True)
    max_extensions = fields.Integer(required=True)


class ExtensionRefused(DisputeRef):
    """Community staff (actor_id) refused the handler's request; due_on stays."""

    working_days = fields.Integer(required=True)
    reason = fields.String(required=True)
    requested_by = fields.String(required=True)


class DeadlineWarning(DisputeRef):
    working_days_left = fields.Integer(required=True)


class DisputeOverdue(DisputeRef):
    overdue_since = fields.Date(required=True)


class DisputeEscalated(DisputeRef):
    reasons = fields.List(fields.String(validate=validate.OneOf(ESCALATION_REASONS)), required=True)
    levels = fields.List(fields.String(validate=validate.OneOf(ESCALATION_LEVELS)), required=True)
    households_involved = fields.Integer(required=True)
    automatic = fields.Boolean(required=True)


class SessionHeld(DisputeRef):
    session_id = fields.String(required=True)
    held_on = fields.Date(required=True)
    present = fields.Integer(required=True)
    absent = fields.Integer(required=True)


class DisputeResolved(DisputeRef):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    referral_result = fields.String(allow_none=True, load_default=None,
                                    validate=validate.OneOf(REFERRAL_RESULTS))
    decided_on = fields.Date(required=True)


class DisputeReferred(DisputeRef):
    referral_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REFERRAL_KINDS))
    to_body = fields.String(required=True)
    referred_on = fields.Date(required=True)


class ReferralReturned(DisputeRef):
    referral_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REFERRAL_KINDS))
    result = fields.String(required=True, validate=validate.OneOf(REFERRAL_RESULTS))
    returned_on = fields.Date(required=True)


class DisputeClosed(DisputeRef):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    closed_on = fields.Date(required=True)
    survey_open_until = fields.Date(required=True)


class DisputeArchived(DisputeRef):
    archive_number = fields.String(required=True)
    archived_on = fields.Date(required=True)


class SatisfactionRecorded(DisputeRef):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    satisfied = fields.Boolean(required=True)


class CaseRef(_Ref):
    """What every case.* event (a request for help or an incident) carries; its category is one of the kind's
    (incidents' are a setting of the service)."""

    case_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DESK_KINDS))
    category = fields.String(required=True)
    handler_id = fields.String(allow_none=True, load_default=None)


def _twin(contract: type) -> type:
    """The case.* contract of a dispute.* one: the same fields of its own, on CaseRef."""
    own = {k: v for k, v in contract._declared_fields.items() if k not in DisputeRef._declared_fields}
    return CaseRef.from_dict(own, name=contract.__name__.replace("Dispute", "Case"))


class CaseDispatched(CaseRef):
    """分拨: to a department (by name) or a person (handler_id), with the dispatch's own due date."""

    dispatch_id = fields.String(required=True)
    target = fields.String(required=True, validate=validate.OneOf(DISPATCH_TARGETS))
    department = fields.String(allow_none=True, load_default=None)
    dispatch_due_on = fields.Date(required=True)
    round = fields.Integer(required=True)


class CaseHandled(CaseRef):
    """处置: the handler (actor_id) recorded what was done; the case waits for verification."""

    dispatch_id = fields.String(required=True)
    handled_on = fields.Date(required=True)
    on_time = fields.Boolean(required=True)


class CaseSentBack(CaseRef):
    """核查未通过: the verifier (actor_id) sent the case back to its handler."""

    dispatch_id = fields.String(required=True)
    reason = fields.String(required=True)


class CaseVerified(CaseRef):
    """核查通过: the case is closed (case.closed follows with the survey)."""

    verified_on = fields.Date(required=True)
    rounds = fields.Integer(required=True)


class CaseClosed(CaseRef):
    """Closed once verified: the survey is open (a case has no mediation outcome)."""

    closed_on = fields.Date(required=True)
    survey_open_until = fields.Date(required=True)


class CaseHelpRequested(CaseRef):
    """A request for help asks volunteers (an elderly man needs groceries): the volunteers service opens a need.
    No name, ID number or phone: the need names the household, whose details volunteers staff see masked."""

    help = fields.String(required=True, validate=validate.OneOf(HELP_KINDS))
    household_id = fields.String(allow_none=True, load_default=None)
    summary = fields.String(required=True)
    needed_by = fields.Date(allow_none=True, load_default=None)


CONTRACTS = {
    ("dispute.registered", 1): DisputeRegistered,
    ("dispute.assigned", 1): DisputeAssigned,
    ("dispute.paused", 1): DisputePaused,
    ("dispute.resumed", 1): DisputeResumed,
    ("dispute.extended", 1): DisputeExtended,
    ("dispute.extension_requested", 1): ExtensionRequested,
    ("dispute.extension_refused", 1): ExtensionRefused,
    ("dispute.deadline_warning", 1): DeadlineWarning,
    ("dispute.overdue", 1): DisputeOverdue,
    ("dispute.escalated", 1): DisputeEscalated,
    ("dispute.session_held", 1): SessionHeld,
    ("dispute.resolved", 1): DisputeResolved,
    ("dispute.referred", 1): DisputeReferred,
    ("dispute.referral_returned", 1): ReferralReturned,
    ("dispute.closed", 1): DisputeClosed,
    ("dispute.archived", 1): DisputeArchived,
    ("satisfaction.recorded", 1): SatisfactionRecorded,
}
# Requests and incidents: each dispute.* step as case.* (a case has no sessions, outcome or referrals of its own),
# and the desk's own steps.
CASE_TWINS = ("registered", "paused", "resumed", "extended", "extension_requested", "extension_refused",
              "deadline_warning", "overdue", "escalated", "archived")
CONTRACTS |= {(f"case.{step}", 1): _twin(CONTRACTS[(f"dispute.{step}", 1)]) for step in CASE_TWINS}
CONTRACTS[("case.satisfaction_recorded", 1)] = _twin(SatisfactionRecorded)
CONTRACTS |= {
    ("case.dispatched", 1): CaseDispatched,
    ("case.handled", 1): CaseHandled,
    ("case.sent_back", 1): CaseSentBack,
    ("case.verified", 1): CaseVerified,
    ("case.closed", 1): CaseClosed,
    ("case.help_requested", 1): CaseHelpRequested,
}
