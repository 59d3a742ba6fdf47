"""The one clock: now in UTC, and local time and "today" in the district's time zone (TIMEZONE)."""
from datetime import date, datetime, timezone
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
