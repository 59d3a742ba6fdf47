"""What the households service answers for the monthly report: one community's month, counts only."""
from marshmallow import Schema, fields


class Band(Schema):
    min = fields.Integer(metadata={"description": "GRID_BAND_MIN"})
    max = fields.Integer(metadata={"description": "GRID_BAND_MAX"})


class GridSize(Schema):
    grid_id = fields.String()
    households = fields.Integer(metadata={"description": "households living in the grid at the month's end"})


class GridOverdue(Schema):
    grid_id = fields.String()
    overdue = fields.Integer(metadata={"description": "care households overdue a visit at the month's end"})


class MonthFigures(Schema):
    community_id = fields.String()
    month = fields.String(metadata={"description": "YYYY-MM"})
    band = fields.Nested(Band)
    grids = fields.List(fields.Nested(GridSize))
    households = fields.Integer()
    grids_below = fields.Integer()
    grids_in_band = fields.Integer()
    grids_above = fields.Integer()
    visits_logged = fields.Integer(metadata={"description": "visits made in the month in the community's grids"})
    care_due = fields.Integer(metadata={"description": "care households whose visit fell due by the month's last "
                                                       "day (due in it, or overdue at its start)"})
    care_done = fields.Integer(metadata={"description": "of care_due, those visited within the month"})
    overdue_by_grid = fields.List(fields.Nested(GridOverdue))
