"""Years neither chinese-calendar nor the operator's schedule file knows (2027 today): the statutory holidays of
the national rules still count as days off (lunar dates computed by the `holidays` package); only the make-up
working days (调休) are unknown, and the warning says so."""
from datetime import date
from types import SimpleNamespace

import chinese_calendar
import pytest

from services.mediation import working_days
from services.mediation.config import SETTINGS


@pytest.fixture(autouse=True)
def no_schedule_file(monkeypatch):
    config = SimpleNamespace()
    SETTINGS.apply(config, environ={})
    monkeypatch.setattr(SETTINGS, "_config", config)


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_2027_is_unknown_to_chinese_calendar():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-01-01"))


@pytest.mark.parametrize("day, what", [
    ("2027-01-01", "New Year's Day (a Friday)"),
    ("2027-02-08", "Spring Festival (a Monday, lunar new year Feb 6)"),
    ("2027-04-05", "Qingming (a Monday)"),
    ("2027-05-03", "Labour Day holiday (a Monday)"),
    ("2027-06-09", "Dragon Boat Festival (a Wednesday, 5th of the 5th lunar month)"),
    ("2027-09-15", "Mid-Autumn Festival (a Wednesday, 15th of the 8th lunar month)"),
    ("2027-10-01", "National Day (a Friday)"),
    ("2027-10-04", "National Day week (a Monday)"),
])
def test_statutory_holidays_of_2027_are_never_working_days(day, what):
    assert d(day).weekday() < 5, what
    assert working_days.is_workday(d(day)) == (False, False), what


def test_ordinary_weekdays_of_2027_are_working_days_and_weekends_are_not():
    assert working_days.is_workday(d("2027-01-04")) == (True, False)   # Monday
    assert working_days.is_workday(d("2027-06-10")) == (True, False)   # Thursday after Dragon Boat
    assert working_days.is_workday(d("2027-01-09")) == (False, False)  # Saturday: 调休 unknown, counted off


def test_a_case_registered_before_new_year_2027_skips_january_1():
    # Dec 29, 30, 31 (2026, known), then Jan 4, 5, 6, 7 (2027): Jan 1 is not counted
    reckoning = working_days.due_date(d("2026-12-28"), working_days=7)
    assert reckoning.value == d("2027-01-07")
    assert reckoning.unknown_years == {2027}
    assert working_days.working_days_between(d("2026-12-31"), d("2027-01-04")).value == 1


def test_the_warning_says_only_make_up_days_are_unknown_in_chinese():
    text = working_days.warning_text({2027})
    assert text.startswith("2027年")
    assert "法定节假日" in text and "调休" in text
    assert "仅按周末" not in text
