"""Contracts of the events the gateway publishes: a monthly situation report (情况报告) was issued.

The event names the report, never its figures or anyone's personal data.
"""
from marshmallow import fields, validate

from shared.events.base import Contract

REPORT_KINDS = ("community", "street")


class ReportIssued(Contract):
    """report.issued: a community's or a street's report of one month, in its version (1 the first, n a re-issue)."""

    report_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    place_id = fields.String(required=True)
    street_id = fields.String(required=True, allow_none=True)
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    number = fields.String(required=True)
    issued_at = fields.AwareDateTime(required=True)


CONTRACTS = {
    ("report.issued", 1): ReportIssued,
}
