"""Standing care needs, from households events: a resident's special-care flag opens a visit need that recurs at
the tag's cadence as households sets it (one need per resident and tag); a clear or the household leaving closes it;
a move takes it along. The cadences come with each flag (cadence_days) and as a whole table (care.cadences_set),
which open needs follow when it changes."""
from datetime import date, datetime, time, timezone

import mongoengine as me

from services.volunteers import events
from services.volunteers.models import CARE_LABELS, CARE_SKILLS, CareCadences, CareSubject, Need
from services.volunteers.register_copy import care_flag_is_newest, community_of_grid
from services.volunteers.rules import every_days_text
from services.volunteers.service.needs import close
from shared import clock
from shared.messaging.outbox import commit
from shared.register_copy import event_time, set_unless_newer

CADENCES = "current"


def _description(days: int | None) -> str:
    return f"{every_days_text(days)}上门探访重点关爱对象，了解生活情况，及时反映困难。"


def cadence_of(tag: str, *, given: int | None = None, at: datetime | None = None) -> int | None:
    """Days between visits for `tag`: `given` (the flag's own, of time `at`) unless the table households published
    last is newer; None when neither is known (the need then says 定期 until the table arrives)."""
    row = CareCadences.objects(pk=CADENCES).first()
    if row is None or (given and (at is None or row.as_of is None or clock.aware(row.as_of) < at)):
        return given
    return (row.cadences or {}).get(tag) or row.default_days


def _open_care_need(*, community_id: str, grid_id: str | None, household_id: str, resident_id: str, name: str,
                    tag: str, since: date | None, source_event_id: str, every_days: int | None = None,
                    at: datetime | None = None) -> Need | None:
    every_days = cadence_of(tag, given=every_days, at=at)
    start = datetime.combine(max(since or clock.today(), clock.today()), time(9, 0), clock.zone())
    need = Need(community_id=community_id, grid_id=grid_id, kind="care",
                title=f"定期探访：{name}（{CARE_LABELS[tag]}）"[:120], description=_description(every_days),
                starts_at=start.astimezone(timezone.utc), recurrence="days", every_days=every_days,
                skills=list(CARE_SKILLS.get(tag, ())), people_wanted=1,
                care=CareSubject(household_id=household_id, resident_id=resident_id, name=name, tag=tag),
                open_key=f"care|{resident_id}|{tag}", source_event_id=source_event_id, opened_by="households")
    try:
        return commit(need, events.need_opened(need))
    except me.NotUniqueError:
        return None  # already open for this resident and tag, or this event already opened it


def on_cadences_set(event) -> int:
    """Keep households' cadence table (the newest by event time) and bring the open care needs to it; a
    redelivered or older table changes nothing. Returns how many needs changed."""
    data = event.data
    if not set_unless_newer(CareCadences._get_collection(), CADENCES,
                            {"cadences": dict(data["cadences"]), "default_days": data["default_days"]},
                            stamp="as_of", at=event_time(event), ties_win=True):
        return 0  # a newer table is kept already
    return follow_cadences()


def follow_cadences() -> int:
    """Open care needs recur at the kept cadence of their tag (idempotent). Returns how many changed."""
    row = CareCadences.objects(pk=CADENCES).first()
    if row is None:
        return 0
    changed = 0
    for tag in CARE_LABELS:
        days = (row.cadences or {}).get(tag) or row.default_days
        # a plain update, not commit(): it touches fields no use case changes, so a concurrent sign-up's
        # commit (which writes only what it changed) neither fails nor undoes it
        changed += Need.objects(kind="care", care__tag=tag, status__ne="closed", every_days__ne=days).update(
            set__every_days=days, set__recurrence="days", set__description=_description(days))
    return changed


def on_care_event(event) -> None:
    """A care flag opens a standing care need (one per resident and tag); a clear or the household leaving closes it."""
    data = event.data
    if event.type in ("resident.care_flagged", "resident.care_cleared"):
        flagged = event.type == "resident.care_flagged"
        if not care_flag_is_newest(resident_id=data["resident_id"], tag=data["tag"], flagged=flagged,
                                   at=event_time(event)):
            return  # a newer flag or clear already decided
        if flagged:
            _open_care_need(community_id=event.community_id, grid_id=event.grid_id,
                            household_id=data["household_id"], resident_id=data["resident_id"], name=data["name"],
                            tag=data["tag"], since=data.get("since"), source_event_id=event.id,
                            every_days=data.get("cadence_days"), at=event_time(event))
        else:
            for need in Need.objects(open_key=f"care|{data['resident_id']}|{data['tag']}"):
                close(need, "care flag cleared")
    elif event.type == "household.left":
        for need in Need.objects(kind="care", care__household_id=data["household_id"], status__ne="closed"):
            close(need, "household left")
    elif event.type == "household.moved":
        _move_care_needs([data["household_id"]], data["to_community_id"], data["to_grid_id"], event.id)
    elif event.type == "grid.redrawn":
        _move_care_needs(data["household_ids"], community_of_grid(data["to_grid_id"], default=event.community_id),
                         data["to_grid_id"], event.id)


def _move_care_needs(household_ids: list[str], community_id: str, grid_id: str, event_id: str) -> None:
    """Care needs follow their household: a new grid in the community, or a fresh need in the new community."""
    for need in Need.objects(kind="care", care__household_id__in=household_ids, status__ne="closed"):
        if need.community_id == community_id:
            if need.grid_id != grid_id:
                need.grid_id = grid_id
                commit(need)
            continue
        care = need.care
        close(need, "household moved to another community")
        _open_care_need(community_id=community_id, grid_id=grid_id, household_id=care.household_id,
                        resident_id=care.resident_id, name=care.name, tag=care.tag, since=None,
                        source_event_id=f"{event_id}|{care.resident_id}|{care.tag}", every_days=need.every_days)
