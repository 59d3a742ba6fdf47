"""Contracts of the events the volunteers service publishes.

Events carry no ID numbers or phone numbers: a volunteer's contact details stay in the volunteers service.
"""
from marshmallow import fields, validate

from shared.events.base import Contract

NEED_KINDS = ("manual", "care", "drill", "request")
HOURS_SOURCES = ("task", "drill", "self_report", "correction")


class VolunteerSnapshot(Contract):
    """volunteer.registered and volunteer.updated: who the volunteer is now (the drills service lists them)."""

    volunteer_id = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_id = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)
    team_ids = fields.List(fields.String(), required=True)


class VolunteerLeft(Contract):
    volunteer_id = fields.String(required=True)
    community_id = fields.String(required=True)
    reason = fields.String(allow_none=True, load_default=None)


class TeamCreated(Contract):
    team_id = fields.String(required=True)
    community_id = fields.String(required=True)
    name = fields.String(required=True)
    leader_ids = fields.List(fields.String(), required=True)


class NeedOpened(Contract):
    need_id = fields.String(required=True)
    community_id = fields.String(required=True)
    grid_id = fields.String(allow_none=True, load_default=None)
    kind = fields.String(required=True, validate=validate.OneOf(NEED_KINDS))
    title = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)
    people_wanted = fields.Integer(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(allow_none=True, load_default=None)
    recurrence = fields.String(allow_none=True, load_default=None)
    # Added in issue 15 (optional): with recurrence "days", the days between a standing care need's visits.
    every_days = fields.Integer(allow_none=True, load_default=None)
    team_ids = fields.List(fields.String(), load_default=list)
    drill_id = fields.String(allow_none=True, load_default=None)
    care_tag = fields.String(allow_none=True, load_default=None)


class NeedFilled(Contract):
    need_id = fields.String(required=True)
    community_id = fields.String(required=True)
    volunteer_ids = fields.List(fields.String(), required=True)


class HoursRecorded(Contract):
    entry_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    community_id = fields.String(required=True)
    team_id = fields.String(allow_none=True, load_default=None)
    source = fields.String(required=True, validate=validate.OneOf(HOURS_SOURCES))
    source_ref = fields.String(allow_none=True, load_default=None)
    served_on = fields.Date(required=True)
    hours = fields.Float(required=True)
    delta = fields.Float(required=True)
    corrects = fields.String(allow_none=True, load_default=None)


class CertificateIssued(Contract):
    certificate_id = fields.String(required=True)
    serial = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    community_id = fields.String(required=True)
    period_from = fields.Date(required=True)
    period_to = fields.Date(required=True)
    hours = fields.Float(required=True)


CONTRACTS = {
    ("volunteer.registered", 1): VolunteerSnapshot,
    ("volunteer.updated", 1): VolunteerSnapshot,
    ("volunteer.left", 1): VolunteerLeft,
    ("team.created", 1): TeamCreated,
    ("need.opened", 1): NeedOpened,
    ("need.filled", 1): NeedFilled,
    ("hours.recorded", 1): HoursRecorded,
    ("certificate.issued", 1): CertificateIssued,
}
