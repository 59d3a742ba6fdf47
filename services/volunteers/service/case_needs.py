"""Requests for help, from the mediation service's events: case.help_requested opens a need in the case's community
(one per case); the request closing or being archived closes it (求助已办结).

Both go to one handler (one queue), so they are applied in the order the case's outbox published them. Each is
idempotent: the need is unique by case while open and by event id for good, and a case that ended is remembered,
so a help_requested that arrives after the close (a redelivery, a resend) opens nothing."""
from datetime import datetime, time, timezone

import mongoengine as me

from services.volunteers import events
from services.volunteers.models import CaseLink, EndedCase, Need
from services.volunteers.service.needs import close, with_retries
from shared import clock
from shared.messaging.outbox import commit

HELP_LABELS = {"groceries": "买菜代购", "escort": "陪同就医/出行", "visit": "上门探望", "cleaning": "打扫卫生",
               "repair": "小修小补", "other": "其他帮助"}
HELP_SKILLS = {"groceries": ("elderly_care",), "escort": ("elderly_care",), "visit": ("elderly_care",),
               "cleaning": ("environment",), "repair": ("repair",), "other": ()}
DONE = "求助已办结"


def on_case_event(event):
    """case.help_requested opens the request's need; case.closed and case.archived of a request close it."""
    if event.type == "case.help_requested":
        return on_help_requested(event)
    if event.data["kind"] == "request":
        return on_request_ended(event)
    return None  # an incident asks no volunteers


def on_help_requested(event) -> Need | None:
    """A request for help asks the community's volunteers: one need per case, the household by id only."""
    data = event.data
    if EndedCase.objects(pk=data["case_id"]).only("id").first():
        return None  # the request was done before this (a redelivery, or a resend) arrived
    day = data.get("needed_by") or clock.today()
    starts = datetime.combine(day, time(9, 0), clock.zone()).astimezone(timezone.utc)
    need = Need(community_id=data["community_id"], grid_id=data.get("grid_id"), kind="request",
                title=f"{HELP_LABELS.get(data['help'], HELP_LABELS['other'])}：{data['number']}"[:120],
                description=data["summary"][:2000], starts_at=starts, skills=list(HELP_SKILLS.get(data["help"], ())),
                people_wanted=1, case=CaseLink(case_id=data["case_id"], number=data["number"],
                                               household_id=data.get("household_id"), help=data["help"]),
                open_key=f"case|{data['case_id']}", source_event_id=event.id, opened_by="mediation")
    try:
        return commit(need, events.need_opened(need))
    except me.NotUniqueError:
        return None  # already open for this case, or this event already opened it


def on_request_ended(event) -> int:
    """The request is done (closed after verification, or archived): its need closes if still open."""
    case_id = event.data["case_id"]
    EndedCase.objects(pk=case_id).update_one(set_on_insert__at=clock.now(), upsert=True)
    closed = 0
    for need in Need.objects(open_key=f"case|{case_id}"):
        with_retries(need, lambda n: n if n.status == "closed" else close(n, DONE))
        closed += 1
    return closed
