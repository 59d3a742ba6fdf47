"""The working-day clock on real calendar cases: National Day and its make-up days, Spring Festival, pauses."""
import json
import re
from datetime import date, datetime, timezone
from types import SimpleNamespace

import chinese_calendar
import pytest

from services.mediation import working_days
from services.mediation.config import SETTINGS
from services.mediation.models import Dispute, Extension, Pause
from services.mediation.rules import recompute_due
from shared.config import ConfigError


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize("registered, due", [
    ("2025-09-29", "2025-10-15"),  # Mon before National Day: Sep 30, Oct 9, 10, 11 (make-up Sat), 13, 14, 15
    ("2025-09-26", "2025-10-13"),  # the make-up Sunday Sep 28 is the first working day
    ("2025-10-03", "2025-10-16"),  # registered on a holiday: counting starts after the holiday
    ("2026-02-13", "2026-03-02"),  # Spring Festival 2026: Feb 14 (make-up Sat), Feb 15–23 off, Feb 28 worked
    ("2025-06-03", "2025-06-12"),  # an ordinary fortnight
])
def test_seven_working_days_on_the_official_schedule(registered, due):
    reckoning = working_days.due_date(d(registered), working_days=7)
    assert reckoning.value == d(due) and reckoning.unknown_years == frozenset()


def test_make_up_days_and_holidays_come_from_chinese_calendar():
    assert working_days.is_workday(d("2025-10-11")) == (True, True)   # Saturday, make-up working day
    assert working_days.is_workday(d("2025-10-06")) == (False, True)  # Monday in the holiday week
    assert working_days.is_workday(d("2026-02-28")) == (True, True)


def test_years_without_data_fall_back_to_statutory_holidays_and_are_reported():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-01"))  # the library's own behaviour the fallback relies on
    reckoning = working_days.due_date(d("2026-12-28"), working_days=7)
    # Dec 29, 30, 31, then Jan 4, 5, 6, 7: New Year's Day is a statutory holiday even without the schedule
    assert reckoning.value == d("2027-01-07") and reckoning.unknown_years == {2027}
    assert working_days.is_workday(d("2099-06-06")) == (False, False)  # a Saturday
    assert "2099" in working_days.warning_text({2099}) and working_days.warning_text(set()) is None


def test_working_days_left_and_paused():
    assert working_days.working_days_between(d("2025-10-13"), d("2025-10-15")).value == 2
    assert working_days.working_days_between(d("2025-10-15"), d("2025-10-13")).value == 0
    assert working_days.working_days_between(d("2025-10-10"), d("2025-10-15")).value == 4
    # paused Tuesday Sep 30, resumed Friday Oct 10: Sep 30 and Oct 9 were lost, the holidays cost nothing
    assert working_days.paused_working_days(d("2025-09-30"), d("2025-10-10")).value == 2
    assert working_days.paused_working_days(d("2025-10-09"), d("2025-10-09")).value == 0
    with pytest.raises(ValueError):
        working_days.add_working_days(d("2025-01-01"), -1)


def case(**kw) -> Dispute:
    return Dispute(number="2025-XF-0001", year=2025, month="2025-09", community_id="C1", category="other",
                   description="x", urgency="normal", channel="walk_in", owner_id="u", registered_on=d("2025-09-29"),
                   working_days=7, due_on=d("2025-10-15"), **kw)


def test_clock_state_of_a_case():
    c = case(status="assigned")
    state = c.clock_state(today=d("2025-10-13"))
    assert (state["running"], state["overdue"], state["working_days_left"], state["age_working_days"]) == (
        True, False, 2, 5)
    late = c.clock_state(today=d("2025-10-17"))
    assert (late["overdue"], late["working_days_left"]) == (True, -2)
    paused = case(status="paused", pauses=[Pause(started_on=d("2025-10-09"), reason="等待", by="m")])
    state = paused.clock_state(today=d("2025-10-20"))
    assert (state["running"], state["overdue"], state["paused_since"]) == (False, False, d("2025-10-09"))


def test_due_date_moves_by_extensions_and_paused_days():
    c = case(status="assigned", pauses=[Pause(started_on=d("2025-09-30"), ended_on=d("2025-10-10"), working_days=2,
                                              reason="等待", by="m")],
             extensions=[Extension(working_days=3, reason="勘查", by="m", at=datetime.now(timezone.utc))])
    recompute_due(c)
    assert c.due_on == d("2025-10-22") and c.calendar_unknown_years == []  # 7 + 2 + 3 working days


@pytest.fixture
def schedule_file(tmp_path):
    def write(content) -> str:
        path = tmp_path / "holidays.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return str(path)
    return write


def use_settings(monkeypatch, **values) -> None:
    """The mediation settings as a started service would read them, with these values (undone after the test)."""
    config = SimpleNamespace(**values)
    SETTINGS.apply(config, environ={})
    monkeypatch.setattr(SETTINGS, "_config", config)


def test_a_year_the_library_lacks_is_counted_from_the_operators_schedule_file(schedule_file, monkeypatch):
    # a made-up 2027 schedule: New Year Jan 1–3 off, Saturday Jan 9 worked in exchange
    path = schedule_file({"2027": {"holidays": ["2027-01-01..2027-01-03"], "workdays": ["2027-01-09"]}})
    use_settings(monkeypatch)
    before = working_days.due_date(d("2026-12-28"), working_days=7)
    assert working_days.is_workday(d("2027-01-09")) == (False, False)  # the 调休 Saturday is not known without it
    use_settings(monkeypatch, HOLIDAY_SCHEDULE_FILE=path)
    after = working_days.due_date(d("2026-12-28"), working_days=7)
    assert (before.value, before.unknown_years) == (d("2027-01-07"), {2027})  # the cached answer was forgotten
    # Dec 29, 30, 31, then Jan 4, 5, 6, 7
    assert (after.value, after.unknown_years) == (d("2027-01-07"), frozenset())
    assert working_days.is_workday(d("2027-01-09")) == (True, True)
    assert working_days.is_workday(d("2027-01-01")) == (False, True)
    assert working_days.is_workday(d("2027-01-16")) == (False, True)  # an ordinary Saturday of a supplied year
    assert working_days.is_workday(d("2025-10-06")) == (False, True)  # years the file leaves out: still the library


@pytest.mark.parametrize("content, says", [
    ("{not json", "cannot be read as JSON"),
    ({"20x7": {}}, "'20x7' is not a year"),
    ({"2027": {"holiday": []}}, "only 'holidays' and 'workdays'"),
    ({"2027": {"holidays": "2027-01-01"}}, "2027.holidays must be a list"),
    ({"2027": {"holidays": ["2027-02-30"]}}, "'2027-02-30' is not a date"),
    ({"2027": {"holidays": ["2027-02-10..2027-02-05"]}}, "is not a range within 2027"),
    ({"2027": {"workdays": ["2028-01-02"]}}, "is not a range within 2027"),
    ({"2027": {"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}}, "2027-02-06 is both a holiday and a workday"),
])
def test_a_bad_schedule_file_stops_the_start_with_what_is_wrong(schedule_file, content, says):
    with pytest.raises(ConfigError, match=re.escape(says)):
        working_days.load_schedule(schedule_file(content))
