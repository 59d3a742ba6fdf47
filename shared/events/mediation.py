"""Contracts of the events the mediation service publishes (矛盾纠纷调解).

Every dispute event carries the case's place (community_id, grid_id where known) and the user ids of
its first-contact owner (首问责任人) and current mediator, so the gateway can tell them. Events carry
no ID numbers or phone numbers, and no party names: those stay in the mediation service.
"""
from marshmallow import fields, validate

from shared.events.base import Contract

CATEGORIES = ("neighbours", "family", "property_management", "land", "labour", "other")
URGENCIES = ("normal", "urgent")
CHANNELS = ("walk_in", "phone", "grid_report", "referral")
STATUSES = ("registered", "assigned", "paused", "referred", "resolved", "closed", "archived")
OUTCOMES = ("agreement", "no_agreement", "withdrawn", "referred")
REFERRAL_KINDS = ("administrative", "judicial", "judicial_confirmation")
REFERRAL_RESULTS = ("settled", "not_settled", "confirmed", "not_confirmed")
ESCALATION_REASONS = ("many_households", "violence_risk", "vulnerable_party", "other")
ESCALATION_LEVELS = ("community", "street")


class DisputeRef(Contract):
    """What every dispute.* event carries: which case, where, and who must hear of it."""

    dispute_id = fields.String(required=True)
    number = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_id = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    first_contact_id = fields.String(required=True)
    mediator_id = fields.String(allow_none=True, load_default=None)
    due_on = fields.Date(allow_none=True, load_default=None)
    actor_id = fields.String(allow_none=True, load_default=None)


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
