"""A monthly situation report (情况报告) as issued: its figures and names frozen, one document per version.

`report_version` is the report's version (1 the first issue, n+1 each re-issue); `version` is the outbox
Aggregate's own counter for optimistic concurrency, nothing to do with it. A report is written once and never
changed: pages and PDFs show only what it stored.
"""
import mongoengine as me

from gateway.db import ALIAS
from shared.events.gateway import REPORT_KINDS
from shared.messaging.outbox import Aggregate

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTHLY_RUN = "monthly"  # issued_by of the reports the monthly run issues


def report_number(*, kind: str, place_id: str, month: str, version: int) -> str:
    """The report's number, unique and readable: C-<community>-YYYYMM-vv or S-<street>-YYYYMM-vv (vv the version),
    e.g. C-c1-202611-01; ASCII, so it is also the PDF's file name."""
    return f"{kind[0].upper()}-{place_id}-{month.replace('-', '')}-{version:02d}"


class Report(Aggregate):
    """One version of a community's or a street's report of one month."""

    kind = me.StringField(required=True, choices=REPORT_KINDS)
    place_id = me.StringField(required=True)
    street_id = me.StringField()  # a community's street; a street's own id
    month = me.StringField(required=True, regex=MONTH)
    report_version = me.IntField(required=True, min_value=1)
    number = me.StringField(required=True, unique=True)
    figures = me.DictField()  # {section key: that section's figures}
    names = me.DictField()  # {street, community or grid id: its name when issued}
    issued_at = me.DateTimeField(required=True)
    issued_by = me.StringField(required=True)  # MONTHLY_RUN or the user id
    issued_by_name = me.StringField()
    meta = {"collection": "reports", "db_alias": ALIAS,
            "indexes": [{"fields": ["kind", "place_id", "month", "report_version"], "unique": True},
                        ("street_id", "month"), ("month", "kind")]}

    @property
    def place_name(self) -> str:
        return self.names.get(self.place_id) or self.place_id
