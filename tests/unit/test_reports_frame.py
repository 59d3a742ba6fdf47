"""The report frame's pure parts: the report number, and which months a report may be issued for."""
import pytest

from gateway.reports.models import report_number
from gateway.reports.service import check_month
from shared import clock
from shared.errors import Invalid


def test_the_number_names_kind_place_month_and_version():
    assert report_number(kind="community", place_id="XF", month="2026-11", version=1) == "C-XF-202611-01"
    assert report_number(kind="street", place_id="CG", month="2026-01", version=12) == "S-CG-202601-12"


def test_only_a_month_that_is_over_may_be_reported():
    this_month = clock.month_of(clock.today())
    check_month(clock.month_after(this_month, -1))
    for month in (this_month, clock.month_after(this_month, 1)):
        with pytest.raises(Invalid) as refused:
            check_month(month)
        assert refused.value.field == "month" and refused.value.reason["code"] == "report.month_not_over"
