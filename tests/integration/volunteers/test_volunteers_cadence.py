"""Standing care needs recur at households' cadence for the care tag: from the flag (cadence_days) and the table
households publishes (care.cadences_set v1), which open needs follow when it changes; a redelivered or older table
changes nothing. No weekly/monthly table of volunteers' own."""
import dataclasses
from datetime import datetime, timedelta, timezone

from services.volunteers import handlers, models
from services.volunteers.models import CareCadences, Need
from shared.events import new_event
from tests.support import broker

TABLE = {"elderly_alone": 7, "empty_nest": 14, "left_behind_child": 7, "child_in_difficulty": 7, "disability": 14,
         "subsistence": 30, "extreme_poverty": 30, "entitled_group": 30}


def cadences_set(table: dict, *, at: datetime | None = None, default_days: int = 30):
    event = new_event("care.cadences_set", version=1, source="households",
                      data={"cadences": table, "default_days": default_days})
    return event if at is None else dataclasses.replace(event, occurred_at=at)


def flagged(resident: str, tag: str, *, cadence_days: int | None = None, household: str = "h-1"):
    data = {"household_id": household, "resident_id": resident, "name": "李爷爷", "tag": tag, "since": "2025-01-01",
            "until": None}
    if cadence_days is not None:
        data["cadence_days"] = cadence_days
    return new_event("resident.care_flagged", version=1, source="households", community_id="C1", grid_id="C1-G1",
                     data=data)


def need_of(resident: str, tag: str) -> Need:
    return Need.objects.get(open_key=f"care|{resident}|{tag}")


def test_the_weekly_monthly_table_is_gone():
    assert not hasattr(models, "CARE_NEEDS") and not hasattr(models, "TEAM_TARGET")
    assert set(models.CARE_SKILLS) == set(models.CARE_LABELS)  # skills remain volunteers' own


def test_a_flag_opens_a_need_recurring_at_its_tags_cadence(vc, staff, places):
    handlers.care_needs(flagged("r-1", "empty_nest", cadence_days=14).load())
    need = need_of("r-1", "empty_nest")
    assert (need.recurrence, need.every_days) == ("days", 14)
    assert need.description.startswith("每14天上门探访")
    shown = vc.get(f"/needs/{need.pk}", headers=staff).json
    assert (shown["recurrence"], shown["every_days"]) == ("days", 14)
    assert need.outbox[0].envelope["data"]["every_days"] == 14  # need.opened says it too
    # an older flag (before issue 15) without cadence_days and no table yet: 定期, until the table comes
    handlers.care_needs(flagged("r-2", "subsistence", household="h-2").load())
    need = need_of("r-2", "subsistence")
    assert need.every_days is None and need.description.startswith("定期上门探访")
    handlers.care_cadences(cadences_set(TABLE).load())
    need = need_of("r-2", "subsistence")
    assert need.every_days == 30 and need.description.startswith("每30天上门探访")
    # with the table kept, a flag without its own cadence takes the table's
    handlers.care_needs(flagged("r-3", "elderly_alone", household="h-3").load())
    assert need_of("r-3", "elderly_alone").every_days == 7


def test_open_needs_follow_a_changed_table_once_and_ignore_an_older_one(places, worker, publisher):
    for resident, tag in (("r-4", "elderly_alone"), ("r-5", "disability"), ("r-6", "subsistence")):
        publisher.publish(flagged(resident, tag, cadence_days=TABLE[tag], household=f"h-{resident}").to_dict())
    broker.wait_until(lambda: Need.objects(kind="care", status="open").count() == 3)
    closed = need_of("r-6", "subsistence")
    Need.objects(pk=closed.pk).update_one(set__status="closed", unset__open_key=True)

    changed = {**TABLE, "elderly_alone": 3, "disability": 7}
    t0 = datetime.now(timezone.utc)
    event = cadences_set(changed, at=t0)
    publisher.publish(event.to_dict())
    publisher.publish(event.to_dict())  # delivered twice
    broker.wait_until(lambda: (need_of("r-4", "elderly_alone").every_days, need_of("r-5", "disability").every_days)
                      == (3, 7))
    assert need_of("r-5", "disability").description.startswith("每7天上门探访")
    assert Need.objects.get(pk=closed.pk).every_days == 30  # a closed need is history: left as it was
    # handled again (a crash before the inbox record): nothing to change
    assert handlers.service.on_cadences_set(event.load()) == 0
    # a table published earlier, arriving late, does not undo the newer one
    handlers.care_cadences(cadences_set(TABLE, at=t0 - timedelta(minutes=5)).load())
    assert CareCadences.objects.get(pk="current").cadences["elderly_alone"] == 3
    assert need_of("r-4", "elderly_alone").every_days == 3
    # a flag older than the kept table takes the table's cadence, not its own stale one
    late = dataclasses.replace(flagged("r-7", "elderly_alone", cadence_days=7, household="h-7"),
                               occurred_at=t0 - timedelta(minutes=1))
    handlers.care_needs(late.load())
    assert need_of("r-7", "elderly_alone").every_days == 3
