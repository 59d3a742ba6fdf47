"""The one clock: now in UTC, and local time and "today" in the district's time zone (TIMEZONE)."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
_zone = ZoneInfo(DEFAULT_ZONE)


def configure(zone_name: str | None) -> None:
    """Use `zone_name` (an IANA name such as Asia/Shanghai) for local time; set once at start."""
    global _zone
    _zone = ZoneInfo(zone_name or DEFAULT_ZONE)


def zone() -> ZoneInfo:
    return _zone


def now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)


def local_now() -> datetime:
    """Now in the district's time zone."""
    return now().astimezone(_zone)


def today() -> date:
    """Today's date where the district is."""
    return local_now().date()


def aware(at: datetime | None) -> datetime | None:
    """Datetimes read back from MongoDB are naive UTC; make them aware (None stays None)."""
    if at is None:
        return None
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at


def local(at: datetime) -> datetime:
    """`at` (aware, or naive UTC) in the district's time zone."""
    return aware(at).astimezone(_zone)


def to_ms(at: datetime) -> datetime:
    """`at` in UTC to the millisecond, as MongoDB keeps it (so a stored time compares equal to its source)."""
    at = aware(at).astimezone(timezone.utc)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def month_of(day: date | datetime) -> str:
    """The month (YYYY-MM) a local date, or an instant in the district, falls in."""
    day = local(day).date() if isinstance(day, datetime) else day
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    """The first day of `month` (YYYY-MM)."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def month_after(month: str, n: int = 1) -> str:
    """The month `n` months after `month` (before it when `n` is negative)."""
    first = month_start(month)
    index = first.year * 12 + first.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_span(month: str) -> tuple[datetime, datetime]:
    """The first instant of `month` and of the month after it, by the district's calendar, in UTC: [start, end)."""
    def first(m: str) -> datetime:
        return datetime.combine(month_start(m), time(), _zone).astimezone(timezone.utc)
    return first(month), first(month_after(month))


def previous_month(day: date | None = None) -> str:
    """The month before the one `day` (default today in the district) falls in."""
    return month_after(month_of(day or today()), -1)
