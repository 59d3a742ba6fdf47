"""What a person typed into a page's form, as a service's request body takes it. The services check it: an
empty entry is sent as nothing (None), anything else as typed, so the page shows the service's reasons."""
from datetime import datetime

from shared import clock


def typed(value):
    """A text entry as typed (trimmed); None when it is empty."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def local_iso(value: str | None) -> str | None:
    """A datetime-local entry as an aware ISO time in the district's zone; anything unreadable goes as typed,
    for the service to refuse on its field."""
    value = typed(value)
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.zone())
    return at.isoformat()
