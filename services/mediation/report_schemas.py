"""Schemas of the monthly report's figures (GET /reports/month) and the months side by side
(GET /reports/cases-by-month): counts only."""
from marshmallow import Schema, fields, validate

from services.mediation.service.reports import MAX_MONTHS
from shared.schemas import CODE, StrictSchema

SHARE = {"description": "per cent, one decimal; null when there is nothing to divide"}


class MonthsQuery(StrictSchema):
    community_id = fields.String(required=True, validate=CODE)
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=MAX_MONTHS),
                            metadata={"description": f"how many months up to this one (1–{MAX_MONTHS})"})


class MonthCounts(Schema):
    registered = fields.Integer(metadata={"description": "cases registered in the month"})
    closed = fields.Integer(metadata={"description": "cases closed in the month"})
    on_time = fields.Integer(metadata={"description": "of those closed, closed on or before their due date"})
    overdue = fields.Integer(metadata={"description": "closed late in the month, plus cases open past their due date "
                                                      "at the month's end (the due date as it stands now)"})


class CategoryMonth(Schema):
    kind = fields.String()
    category = fields.String()
    category_label = fields.String()
    registered = fields.Integer()
    closed = fields.Integer()


class HotSpot(Schema):
    kind = fields.String()
    category = fields.String()
    grid_id = fields.String(allow_none=True)
    count = fields.Integer()


class SpecialReport(Schema):
    number = fields.String()
    kind = fields.String()
    category = fields.String()
    category_label = fields.String()
    households_involved = fields.Integer()


class SpecialReports(Schema):
    count = fields.Integer()
    items = fields.List(fields.Nested(SpecialReport))


class MonthSatisfaction(Schema):
    answered = fields.Integer(metadata={"description": "surveys answered in the month"})
    satisfied = fields.Integer()
    share = fields.Float(allow_none=True, metadata=SHARE)


class MonthFigures(MonthCounts):
    community_id = fields.String()
    month = fields.String()
    on_time_share = fields.Float(allow_none=True, metadata=SHARE)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Nested(MonthCounts))
    by_category = fields.List(fields.Nested(CategoryMonth))
    hotspots = fields.List(fields.Nested(HotSpot), metadata={"description": "registered in the month by kind, "
                                                                            "category and grid, the most first"})
    special_reports = fields.Nested(SpecialReports, metadata={"description": "个案专报 made in the month"})
    satisfaction = fields.Nested(MonthSatisfaction)


class CategoryRow(Schema):
    kind = fields.String()
    category = fields.String()
    category_label = fields.String()
    counts = fields.List(fields.Integer(), metadata={"description": "registered, one per month of `months`"})


class CasesByMonth(Schema):
    community_id = fields.String()
    months = fields.List(fields.String())
    categories = fields.List(fields.Nested(CategoryRow))
    on_time_share = fields.List(fields.Float(allow_none=True), metadata=SHARE)
    satisfaction_share = fields.List(fields.Float(allow_none=True), metadata=SHARE)
