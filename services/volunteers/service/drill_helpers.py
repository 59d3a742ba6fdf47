"""Drills, from the drills service's events: a planned drill asks for helpers (one need per drill); a cancelled drill
closes that need and a rescheduled one moves it; a completed drill credits hours to each volunteer who checked in,
once per drill and volunteer.

drill.planned, drill.cancelled and drill.rescheduled go to one handler (one queue), so they are applied in the order
the drill's outbox published them; each is idempotent, and a planned event that comes after the cancel opens
nothing."""
import mongoengine as me
from bson import ObjectId

from services.volunteers import events
from services.volunteers.models import Need, VolunteerRecord
from services.volunteers.service.hours import record
from services.volunteers.service.needs import close, with_retries
from shared import clock
from shared.messaging.outbox import commit

HAZARD_LABELS = {"natural_disaster": "自然灾害", "accident": "事故灾难", "public_health": "公共卫生事件",
                 "social_security": "社会安全事件"}


CANCELLED = "drill cancelled"
CANCELLED_NOTICE = "【演练已取消】无需志愿者到场。"  # first on the need's page, for staff to pass on


def _called_off(need: Need) -> Need:
    if need.status == "closed":
        return need
    if not (need.description or "").startswith(CANCELLED_NOTICE):
        need.description = (CANCELLED_NOTICE + (need.description or ""))[:2000]
    return close(need, CANCELLED)


def on_drill_helpers_event(event):
    """drill.planned opens the helper need, drill.cancelled closes it, drill.rescheduled moves it."""
    return {"drill.planned": on_drill_planned, "drill.cancelled": on_drill_cancelled,
            "drill.rescheduled": on_drill_rescheduled}[event.type](event)


def on_drill_planned(event) -> Need | None:
    """A planned drill asks the community's volunteers for helpers: one need per drill."""
    data = event.data
    if data["helpers_wanted"] < 1:
        return None
    if Need.objects(drill_id=data["drill_id"], closed_reason=CANCELLED).only("id").first():
        return None  # the drill was called off before this (a redelivery, or a resend) arrived
    grids = data["grid_ids"]
    need = Need(community_id=data["community_id"], grid_id=grids[0] if len(grids) == 1 else None, kind="drill",
                title=f"演练协助：{data['title']}"[:120],
                description=f"应急演练（{HAZARD_LABELS.get(data['hazard'], data['hazard'])}，{data['level']}级）"
                            "需要志愿者协助。",
                starts_at=data["starts_at"], ends_at=data["ends_at"], skills=list(data["skills"]),
                people_wanted=data["helpers_wanted"], drill_id=data["drill_id"],
                open_key=f"drill|{data['drill_id']}", source_event_id=event.id, opened_by="drills")
    try:
        return commit(need, events.need_opened(need))
    except me.NotUniqueError:
        return None


def _drill_needs(data: dict) -> list[Need]:
    return list(Need.objects(drill_id=data["drill_id"], community_id=data["community_id"], kind="drill",
                             status__in=["open", "filled"]))


def on_drill_cancelled(event) -> int:
    """The drill will not take place: its helper need closes ("drill cancelled") and its page says first that no
    volunteer is needed; the confirmed volunteers stay listed on it for staff to tell (the volunteers service has
    no channel of its own to them). A redelivery finds nothing open and changes nothing."""
    closed = 0
    for need in _drill_needs(event.data):
        with_retries(need, _called_off)
        closed += 1
    return closed


def on_drill_rescheduled(event) -> int:
    """The drill moved: its helper need moves to the new time (setting the same times again changes nothing)."""
    data, moved = event.data, 0
    for need in _drill_needs(data):
        def move(n: Need) -> Need:
            if n.status == "closed" or (clock.aware(n.starts_at), clock.aware(n.ends_at)) == (
                    data["starts_at"], data["ends_at"]):
                return n
            n.starts_at, n.ends_at = data["starts_at"], data["ends_at"]
            return commit(n)
        with_retries(need, move)
        moved += 1
    return moved


def on_drill_completed(event) -> int:
    """Credit drill hours to each volunteer who checked in, exactly once per drill and volunteer."""
    data = event.data
    served_on = clock.local(data["started_at"]).date()
    credited = 0
    for checkin in data["volunteer_checkins"]:
        vid, hours = checkin["volunteer_id"], min(float(checkin["hours"]), 24.0)
        v = VolunteerRecord.objects(pk=ObjectId(vid), community_id=data["community_id"]).first() \
            if ObjectId.is_valid(vid) else None
        if v is None or hours <= 0:
            continue  # not a volunteer of this community: nothing to credit
        _, created = record(v, source="drill", source_ref=data["drill_id"],
                            source_key=f"drill|{data['drill_id']}|{vid}", served_on=served_on, hours=hours,
                            note="应急演练", by="drills", team_id=v.team_ids[0] if v.team_ids else None)
        credited += created
    for need in Need.objects(open_key=f"drill|{data['drill_id']}"):
        close(need, "drill completed")
    return credited
