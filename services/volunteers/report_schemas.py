"""Schemas of the monthly report's figures (GET /reports/month) and the new volunteers per month
(GET /communities/<id>/signups-by-month): counts only."""
from marshmallow import Schema, fields, validate

from shared.schemas import StrictSchema


class MonthFigures(Schema):
    """A community's month for the monthly report: counts only."""

    community_id = fields.String()
    month = fields.String(metadata={"description": "YYYY-MM, the district's calendar"})
    volunteers = fields.Integer(metadata={"description": "registered before the month's end and not left before it"})
    new_signups = fields.Integer(metadata={"description": "volunteers registered in the month"})
    link_signups = fields.Integer(metadata={
        "description": "sign-ups received through links in the month (new people, waitlisted ones and claims)"})
    hours = fields.Float(metadata={"description": "ledger hours served in the month (by the day served)"})
    hours_by_kind = fields.Dict(keys=fields.String(), values=fields.Float(),
                                metadata={"description": "task, drill, self_report (a correction counts as its line)"})
    teams = fields.Integer(metadata={"description": "teams founded before the month's end"})
    residents = fields.Integer(metadata={"description": "the community's residents as the register copy counts them "
                                                        "NOW (the copy keeps no history)"})
    share = fields.Float(allow_none=True, metadata={"description": "volunteers as % of residents, one decimal"})
    share_target = fields.Float(metadata={"description": "VOLUNTEER_SHARE_TARGET in % (10.0)"})
    teams_target = fields.Integer(metadata={"description": "VOLUNTEER_TEAMS_TARGET"})


class SignupsQuery(StrictSchema):
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=24))


class MonthSignups(Schema):
    month = fields.String()
    new_signups = fields.Integer()
