"""The working-day calendar: China's official holidays and make-up working days (调休) from chinese_calendar.

chinese_calendar holds the State Council's schedule for the years it knows (2004–2026 in 1.11.0) and
raises NotImplementedError for any other year. The State Council publishes next year's schedule late in
the year, often before the library has a release with it: an operator then puts it in a schedule file
(the HOLIDAY_SCHEDULE_FILE setting, see `load_schedule`), which wins over the library for the years it lists.
For a year neither knows, the statutory holidays of the national rules (元旦, 春节, 清明, 劳动节, 端午, 中秋,
国庆; lunar dates computed) come from the `holidays` package's China calendar and are days off; only the
make-up working days (调休) such a schedule moves onto weekends are unknown, so every result says which years
were counted that way and the screen warns of them.
"""
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import takewhile

import chinese_calendar
import holidays

from services.mediation.config import SETTINGS
from shared.config import ConfigError


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: days off on weekdays, and weekend days worked (调休)."""

    holidays: frozenset
    workdays: frozenset


def load_schedule(path: str) -> dict[int, YearSchedule]:
    """Read a schedule file: {"2027": {"holidays": ["2027-01-01", "2027-02-05..2027-02-11"], "workdays": [...]}}."""
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: cannot be read as JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: must map years to their holidays and workdays")
    return {_year(path, key): _year_schedule(path, key, entry) for key, entry in raw.items()}


def _year(path: str, key: str) -> int:
    if not (isinstance(key, str) and key.isdigit() and 2000 <= int(key) <= 2200):
        raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: {key!r} is not a year")
    return int(key)


def _year_schedule(path: str, key: str, entry) -> YearSchedule:
    if not isinstance(entry, dict) or set(entry) - {"holidays", "workdays"}:
        raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: {key} must hold only 'holidays' and 'workdays' lists")
    days = {kind: _days(path, key, kind, entry.get(kind, [])) for kind in ("holidays", "workdays")}
    both = days["holidays"] & days["workdays"]
    if both:
        raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: {min(both)} is both a holiday and a workday")
    return YearSchedule(frozenset(days["holidays"]), frozenset(days["workdays"]))


def _days(path: str, key: str, kind: str, items) -> set:
    if not isinstance(items, list):
        raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: {key}.{kind} must be a list of dates")
    out = set()
    for item in items:
        try:
            first, _, last = str(item).partition("..")
            a = date.fromisoformat(first.strip())
            b = date.fromisoformat(last.strip()) if last else a
        except ValueError:
            raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: {key}.{kind}: {item!r} is not a date "
                              f"(YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)") from None
        if b < a or a.year != int(key) or b.year != int(key):
            raise ConfigError(f"HOLIDAY_SCHEDULE_FILE {path}: {key}.{kind}: {item!r} is not a range within {key}")
        out.update(a + timedelta(days=i) for i in range((b - a).days + 1))
    return out


@lru_cache(maxsize=8)
def schedule_at(path: str | None) -> dict[int, YearSchedule]:
    """The schedules of the file at `path` (none without one), read once per path."""
    return load_schedule(path) if path else {}


def _path() -> str | None:
    return SETTINGS.HOLIDAY_SCHEDULE_FILE or None


def is_workday(day: date) -> tuple[bool, bool]:
    """(is it a working day, is the official schedule for its year known)."""
    return _is_workday(day, _path())


@lru_cache(maxsize=8192)
def _is_workday(day: date, path: str | None) -> tuple[bool, bool]:
    supplied = schedule_at(path).get(day.year)
    if supplied is not None:
        return day in supplied.workdays or (day.weekday() < 5 and day not in supplied.holidays), True
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5 and day not in statutory_holidays(day.year), False


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset:
    """The statutory days off of the national rules in `year` (no 调休: weekend make-up days are not known)."""
    return frozenset(holidays.country_holidays("CN", years=year))


@dataclass(frozen=True)
class Reckoning:
    """A day or a count, and the years counted without their official schedule (statutory holidays, no 调休)."""

    value: object
    unknown_years: frozenset = field(default_factory=frozenset)


def _days_after(start: date, path: str | None):
    """The days after `start`, each as (day, is it a working day, is its year's schedule known)."""
    day = start
    while True:
        day += timedelta(days=1)
        yield day, *_is_workday(day, path)


def add_working_days(start: date, n: int) -> Reckoning:
    """The n-th working day after `start` (`start` itself never counts; n=0 gives `start`)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, counted, unknown, days = start, 0, set(), _days_after(start, _path())
    while counted < n:
        day, work, known = next(days)
        unknown |= set() if known else {day.year}
        counted += work
    return Reckoning(day, frozenset(unknown))


@lru_cache(maxsize=8192)
def _between(a: date, b: date, path: str | None) -> tuple[int, frozenset]:
    days = list(takewhile(lambda row: row[0] <= b, _days_after(a, path)))
    return sum(work for _, work, _ in days), frozenset(day.year for day, _, known in days if not known)


def working_days_between(a: date, b: date) -> Reckoning:
    """Working days d with a < d <= b (0 when b <= a): how many are left from a to a deadline b."""
    count, unknown = _between(a, b, _path())
    return Reckoning(count, unknown)


def paused_working_days(started_on: date, ended_on: date) -> Reckoning:
    """Working days lost to a pause: d with started_on <= d < ended_on (a pause ended the same day loses none)."""
    return working_days_between(started_on - timedelta(days=1), ended_on - timedelta(days=1))


def warning_text(years) -> str | None:
    """What to tell the user when some years had no official schedule (None when all were known)."""
    if not years:
        return None
    listed = "、".join(str(y) for y in sorted(years))
    return (f"{listed}年的国务院放假安排尚未录入：已按国家法定节假日（元旦、春节、清明、劳动节、端午、中秋、国庆）"
            f"计算，但调休上班日未知，期限可能有出入，请以国务院办公厅公布的放假安排为准（管理员可将公布的安排写入节假日文件）。"
            f" / No official schedule for {', '.join(str(y) for y in sorted(years))}: statutory holidays are "
            "counted, but make-up working days (调休) are unknown; check the published schedule "
            "(an administrator can add it to the holiday schedule file).")


def due_date(registered_on: date, *, working_days: int, paused: int = 0) -> Reckoning:
    """The last day of the commitment: `working_days` (plus extensions and paused days) after registration."""
    return add_working_days(registered_on, working_days + paused)
