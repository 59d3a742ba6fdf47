"""Deadlines: the worker's periodic job that warns of cases coming due and marks overdue ones, once per due date.

warned_at and overdue_at hold for the case's current due date: when an approved extension, a resume or a
recount moves it, rules.rearm clears them, and the next run may warn (or mark overdue) again for the new date.
"""
from datetime import date, timedelta

import mongoengine as me

from services.mediation import events, working_days
from services.mediation.config import SETTINGS
from services.mediation.models import CLOCK_RUNNING, Dispute
from services.mediation.rules import rearm, recompute_due
from services.mediation.service.case_file import step
from shared import clock
from shared.clock import now
from shared.messaging.outbox import ConcurrentChange, commit


def _recompute_guessed() -> int:
    """Due dates counted without a year's official schedule, counted again (the schedule may have come since)."""
    changed = 0
    for d in Dispute.objects(status__in=list(CLOCK_RUNNING) + ["paused"]).filter(
            __raw__={"calendar_unknown_years.0": {"$exists": True}}):
        before = d.due_on
        recompute_due(d)
        rearm(d, before)
        if d.due_on != before or not d.calendar_unknown_years:
            step(d, None, "due_recomputed", due_before=before, due_on=d.due_on)
            try:
                commit(d)
                changed += 1
            except ConcurrentChange:
                pass
    return changed


def check_deadlines(*, today: date | None = None) -> dict:
    """Raise deadline_warning and overdue (dispute.* for a dispute, case.* for a request or an incident, dispatched
    or handled ones included), each once per due date of a case; refresh guessed ones."""
    today = today or clock.today()
    warn = SETTINGS.DISPUTE_WARN_WORKING_DAYS
    counts = {"warned": 0, "overdue": 0, "recomputed": _recompute_guessed()}
    horizon = working_days.add_working_days(today, warn).value
    pending = (me.Q(overdue_at=None, due_on__lt=today) | me.Q(warned_at=None, due_on__lte=horizon))
    for d in Dispute.objects(me.Q(status__in=list(CLOCK_RUNNING)) & pending):
        raised = None
        if today > d.due_on and not d.overdue_at:
            d.overdue_at = now()
            since = d.due_on + timedelta(days=1)
            step(d, None, "overdue", due_on=d.due_on)
            raised, key = events.overdue(d, since=since), "overdue"
        elif today <= d.due_on and not d.warned_at and not d.overdue_at:
            left = working_days.working_days_between(today, d.due_on).value
            if left > warn:
                continue
            d.warned_at = now()
            step(d, None, "deadline_warning", working_days_left=left, due_on=d.due_on)
            raised, key = events.deadline_warning(d, working_days_left=left), "warned"
        if raised is None:
            continue
        try:
            commit(d, raised)
            counts[key] += 1
        except ConcurrentChange:  # changed meanwhile (or another worker got there): the next run looks again
            pass
    return counts
