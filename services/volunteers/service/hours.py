"""The hours ledger: lines appended once per source (a task, a drill, an approved report), corrected by new lines."""
from datetime import date

import mongoengine as me

from services.volunteers import events
from services.volunteers.models import HoursEntry, VolunteerRecord
from services.volunteers.rules import correction_delta
from services.volunteers.service.access import require_leads, volunteer, with_volunteer
from shared import clock
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import volunteers as reasons


def hours_sum(**where) -> float:
    """The hours of the ledger lines that match `where`, corrections included."""
    return round(HoursEntry.objects(**where).sum("delta") or 0.0, 2)


def not_future(day: date, field: str = "served_on") -> None:
    """Refuse a day after today (where the district is)."""
    if day > clock.today():
        raise Invalid(reasons.NOT_IN_THE_FUTURE(), field=field)


def record(v: VolunteerRecord, *, source: str, source_ref: str | None, source_key: str, served_on: date, hours: float,
           note: str | None, by: str, team_id: str | None = None) -> tuple[HoursEntry, bool]:
    """Append one line to the ledger, once per source_key; returns (line, created)."""
    hours = round(float(hours), 2)
    entry = HoursEntry(volunteer_id=str(v.pk), community_id=v.community_id, team_id=team_id, source=source,
                       source_ref=source_ref, source_key=source_key, served_on=served_on, hours=hours, delta=hours,
                       note=(note or "")[:500] or None, recorded_by=by)
    try:
        commit(entry, events.hours_recorded(entry))
    except me.NotUniqueError:
        return HoursEntry.objects.get(source_key=source_key), False
    return entry, True


def ledger(*, actor: Principal, volunteer_id: str) -> dict:
    """A volunteer's ledger lines, newest first, and the total."""
    v = volunteer(actor, volunteer_id)
    entries = list(HoursEntry.objects(volunteer_id=str(v.pk)).exclude("outbox").order_by("-served_on", "-recorded_at"))
    return {"volunteer_id": str(v.pk), "total_hours": round(sum(e.delta for e in entries), 2), "entries": entries}


def correct_hours(*, actor: Principal, entry_id: str, hours: float, reason: str) -> HoursEntry:
    """Correct a ledger line by appending a new line that refers to it (the old one stays as it was)."""
    entry, v = with_volunteer(HoursEntry, entry_id, actor=actor, what="ledger line", permission="hours.manage")
    require_leads(actor, v.team_ids, "correct this volunteer's hours")
    later = HoursEntry.objects(corrects=str(entry.pk)).first()
    if later is not None:
        raise Conflict(reasons.ALREADY_CORRECTED(entry_id=str(later.pk)), field="entry_id")
    hours = round(float(hours), 2)
    if hours == entry.hours:
        raise Invalid(reasons.LINE_SAYS_THIS(), field="hours")
    fix = HoursEntry(volunteer_id=entry.volunteer_id, community_id=entry.community_id, team_id=entry.team_id,
                     source="correction", source_ref=entry.source_ref, corrects=str(entry.pk),
                     served_on=entry.served_on, hours=hours, delta=correction_delta(entry.hours, hours), note=reason,
                     recorded_by=actor.user_id)
    try:
        return commit(fix, events.hours_recorded(fix))
    except me.NotUniqueError:
        raise Conflict(reasons.CORRECTED_AT_SAME_MOMENT(), field="entry_id") from None
