"""What GET /reports/month gives: a community's drills and corrective actions in one month (counts and times)."""
from marshmallow import Schema, fields


class HeldDrill(Schema):
    drill_id = fields.String()
    title = fields.String()
    kind = fields.String()
    hazard = fields.String()
    started_at = fields.AwareDateTime()
    households = fields.Integer(metadata={"description": "households on the roll-call frozen when it started"})
    accounted = fields.Integer()
    minutes_to_90 = fields.Float(allow_none=True, metadata={"description": "null: 90% never reached"})
    minutes_to_100 = fields.Float(allow_none=True, metadata={"description": "null: 100% never reached"})


class MonthFigures(Schema):
    community_id = fields.String()
    month = fields.String(metadata={"description": "YYYY-MM, by the district's calendar"})
    held = fields.List(fields.Nested(HeldDrill), metadata={"description": "completed drills started in the month"})
    drills_held = fields.Integer()
    cancelled = fields.Integer(metadata={"description": "drills planned to start in the month and called off"})
    actions_open = fields.Integer(metadata={"description": "corrective actions open at the month's end"})
    actions_opened = fields.Integer(metadata={"description": "corrective actions opened in the month"})
    actions_closed = fields.Integer(metadata={"description": "corrective actions closed in the month"})
