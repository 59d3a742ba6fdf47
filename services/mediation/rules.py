"""The rules of a case that need no database: what may happen in which status, the due date, major cases."""
from datetime import date

from services.mediation import working_days
from shared.errors import Conflict
from shared.reasons import mediation as reasons

# What a referral of each kind comes back as.
REFERRAL_RESULTS = {"administrative": ("settled", "not_settled"), "judicial": ("settled", "not_settled"),
                    "judicial_confirmation": ("confirmed", "not_confirmed")}
# The statuses in which a case's facts and parties may still be edited or its mediator changed.
EDITABLE = ("registered", "assigned", "paused", "referred")


def changeable(d, allowed: tuple[str, ...], action: str) -> None:
    """Refuse (409) a change the case's status does not allow; an archived case takes none."""
    if d.status == "archived":
        raise Conflict(reasons.ARCHIVED())
    if d.status not in allowed:
        raise Conflict(reasons.NOT_WHILE(status=d.status, action=action), field="status")


def of_kind(d, kinds: tuple[str, ...], action: str, reason=reasons.NOT_FOR_KIND) -> None:
    """Refuse (409) a step that is not part of this kind's life: a dispute is not dispatched, a request not mediated."""
    if d.kind not in kinds:
        raise Conflict(reason(kind=d.kind, action=action), field="kind")


def case_number(kind: str, year: int, seq: int) -> str:
    """A number of a year's sequence: `2026-XF-0001` (cases), `2026-GD-0001` (archive)."""
    return f"{year}-{kind}-{seq:04d}"


# ---- the clock of a case -------------------------------------------------------------------------

def recompute_due(d) -> None:
    """Due date = base + extensions + paused working days after registration; note years without a schedule."""
    extra = d.extended_working_days() + d.paused_working_days()
    reckoning = working_days.due_date(d.registered_on, working_days=d.working_days + extra)
    years = set(reckoning.unknown_years)
    for p in d.pauses:
        if p.ended_on:
            years |= working_days.paused_working_days(p.started_on, p.ended_on).unknown_years
    d.due_on = reckoning.value
    d.calendar_unknown_years = sorted(years)


def rearm(d, due_before) -> None:
    """A due date that moved gets its own warning and overdue notice: the ones given for the old date are forgotten."""
    if d.due_on != due_before:
        d.warned_at = d.overdue_at = None


def end_pause(d, user_id: str, today: date):
    """Close an open pause (on resume, or when the case ends while paused); the due date moves. None if not paused."""
    if d.status != "paused":
        return None
    pause = d.pauses[-1]
    pause.ended_on = today
    pause.ended_by = user_id
    pause.working_days = working_days.paused_working_days(pause.started_on, today).value
    d.status, d.resume_status = d.resume_status or "registered", None
    before = d.due_on
    recompute_due(d)
    rearm(d, before)
    return pause


# ---- major cases -------------------------------------------------------------------------------

def major_reasons(*, households_involved: int, violence_risk: bool, parties, threshold: int) -> list[str]:
    """Why a case is major (重大): many households, risk of violence, vulnerable parties."""
    found = []
    if households_involved >= threshold:
        found.append("many_households")
    if violence_risk:
        found.append("violence_risk")
    if any(p.vulnerable for p in parties):
        found.append("vulnerable_party")
    return found


def involved_households(parties, stated: int | None) -> int:
    """Households involved: the stated figure, or at least the distinct households among the parties."""
    counted = len({p.household_id for p in parties if p.household_id}) + sum(
        1 for p in parties if p.kind == "person" and not p.organisation)
    return max(stated or 0, counted)


def survey_open(d, today: date) -> bool:
    """The applicant may still answer: the case is closed, the survey unanswered and not past its date."""
    return d.status == "closed" and not d.survey.answered_at and today <= d.survey.open_until


# ---- the monthly figures -------------------------------------------------------------------------

def closed_on_time(*, closed_on: date, due_on: date) -> bool:
    """A case closed on or before its due date was kept on time."""
    return closed_on <= due_on


def _during(day: date, start: date | None, end: date | None) -> bool:
    return start is not None and start <= day and (end is None or day < end)


def overdue_on(*, day: date, registered_on: date, due_on: date, closed_on: date | None, decided_on: date | None,
               pauses: list[tuple], referrals: list[tuple]) -> bool:
    """Open with its clock running at the end of `day` (registered, not yet closed, resolved, paused or referred by
    then, as their stored dates say) and past its due date."""
    if registered_on > day or (closed_on and closed_on <= day) or (decided_on and decided_on <= day):
        return False
    if any(_during(day, start, end) for start, end in [*pauses, *referrals]):
        return False
    return day > due_on

