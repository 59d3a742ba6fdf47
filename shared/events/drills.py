"""Contracts of the events the drills service publishes (version 1; drill.planned and drill.completed as agreed
with the volunteers service).

Owned by the drills service. Events carry no ID numbers or phone numbers.
"""
from marshmallow import fields, validate

from shared.events.base import Contract

LEVELS = ("I", "II", "III", "IV")


class DrillPlanned(Contract):
    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_ids = fields.List(fields.String(), required=True)
    hazard = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    title = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    helpers_wanted = fields.Integer(required=True, validate=validate.Range(min=0))
    skills = fields.List(fields.String(), required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


class VolunteerCheckin(Contract):
    volunteer_id = fields.String(required=True)
    hours = fields.Float(required=True)


class DrillCompleted(Contract):
    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    started_at = fields.AwareDateTime(required=True)
    ended_at = fields.AwareDateTime(required=True)
    volunteer_checkins = fields.List(fields.Nested(VolunteerCheckin), required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


# ---- the rest of the drills service's events (version 1) -------------------------------------------

HAZARDS = ("natural_disaster", "accident", "public_health", "social_security")
TICK_STATUSES = ("at_home", "evacuated", "absent", "needs_help")


class DrillStarted(Contract):
    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_ids = fields.List(fields.String(), required=True)
    hazard = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    started_at = fields.AwareDateTime(required=True)
    households = fields.Integer(required=True, validate=validate.Range(min=0))
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


class HouseholdAccounted(Contract):
    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_id = fields.String(required=True)
    household_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(TICK_STATUSES))
    accounted_at = fields.AwareDateTime(required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


class ActionOpened(Contract):
    action_id = fields.String(required=True)
    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_id = fields.String(allow_none=True, load_default=None)
    title = fields.String(required=True)
    owner_name = fields.String(required=True)
    owner_user_id = fields.String(allow_none=True, load_default=None)
    due_on = fields.Date(required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


class ActionClosed(Contract):
    action_id = fields.String(required=True)
    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    closed_at = fields.AwareDateTime(required=True)
    resolution = fields.String(required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


class DrillCancelled(Contract):
    """A planned drill will not take place: what it opened elsewhere (the volunteers' helper need) closes. The
    reason typed by staff stays in the drills service (free text may name people)."""

    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    cancelled_at = fields.AwareDateTime(required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


class DrillRescheduled(Contract):
    """A planned drill moves to another time: what it opened elsewhere moves with it."""

    drill_id = fields.String(required=True)
    community_id = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    previous_starts_at = fields.AwareDateTime(required=True)
    rescheduled_at = fields.AwareDateTime(required=True)
    exercise = fields.Boolean(required=True, validate=validate.Equal(True))


CONTRACTS = {
    ("drill.planned", 1): DrillPlanned,
    ("drill.completed", 1): DrillCompleted,
    ("drill.started", 1): DrillStarted,
    ("drill.household_accounted", 1): HouseholdAccounted,
    ("action.opened", 1): ActionOpened,
    ("action.closed", 1): ActionClosed,
    ("drill.cancelled", 1): DrillCancelled,
    ("drill.rescheduled", 1): DrillRescheduled,
}
