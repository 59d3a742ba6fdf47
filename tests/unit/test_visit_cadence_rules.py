"""The pure rules of visit cadences: the shortest tag wins, a tag left out takes the default, and volunteers say
the days in the need's words."""
from datetime import datetime, timedelta, timezone

import pytest

from services.households import rules
from services.volunteers.rules import every_days_text

pytestmark = pytest.mark.unit
BY_TAG = {"elderly_alone": 7, "empty_nest": 14, "subsistence": 30}


@pytest.mark.parametrize(("tags", "days"), [
    (["subsistence"], 30), (["subsistence", "elderly_alone"], 7), (["empty_nest", "subsistence"], 14),
    (["disability"], 45),  # not in the table: the default
    ([], 45),              # a care household whose tags are not active today
])
def test_a_household_is_due_at_its_shortest_tag(tags, days):
    assert rules.cadence_days(tags, by_tag=BY_TAG, default=45) == days


def test_the_table_names_every_care_tag():
    table = rules.cadence_table(BY_TAG, default=45)
    assert table["elderly_alone"] == 7 and table["disability"] == 45 and len(table) == 8


def test_overdue_after_the_cadence():
    at = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)
    assert rules.overdue(None, at=at, cadence_days=7)
    assert not rules.overdue(at - timedelta(days=6), at=at, cadence_days=7)
    assert rules.overdue(at - timedelta(days=8), at=at, cadence_days=7)


def test_volunteers_say_the_days():
    assert (every_days_text(7), every_days_text(30), every_days_text(None)) == ("每7天", "每30天", "定期")
