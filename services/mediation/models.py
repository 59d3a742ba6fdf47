"""Documents of the mediation service: cases of the desk (disputes, requests, incidents), its copy of the register,
mediators, notifications. Photos of incidents are files in GridFS (services/mediation/photos.py)."""
import mongoengine as me
from bson import ObjectId

from services.mediation.config import SETTINGS
from services.mediation.working_days import warning_text, working_days_between
from shared import clock
from shared.clock import now
from shared.events.mediation import (
    CHANNELS,
    DISPATCH_TARGETS,
    ESCALATION_LEVELS,
    ESCALATION_REASONS,
    HELP_KINDS,
    KINDS,
    OUTCOMES,
    REFERRAL_KINDS,
    REFERRAL_RESULTS,
    STATUSES,
    URGENCIES,
)
from shared.messaging.outbox import Aggregate

PARTY_ROLES = ("applicant", "respondent", "other")
PARTY_KINDS = ("household", "person")
# Statuses in which the 7-working-day clock runs, and those in which the case is still open.
# A request or incident's clock runs until it is verified: a handler's report waiting for 核查 is not yet kept.
CLOCK_RUNNING = ("registered", "assigned", "dispatched", "handled")
OPEN = ("registered", "assigned", "dispatched", "handled", "paused", "referred", "resolved")


# ---- the register, as this service knows it from households events -----------------------------

class RegisterGrid(me.Document):
    """A grid as the households service announced it."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    name = me.StringField()
    as_of = me.DateTimeField()
    meta = {"collection": "register_grids", "indexes": ["community_id"]}


class RegisterResident(me.EmbeddedDocument):
    resident_id = me.StringField(required=True)
    name = me.StringField(required=True)
    relation = me.StringField()
    care_tags = me.ListField(me.StringField())


class RegisterHousehold(me.Document):
    """A household of the register: only what parties need (no ID numbers, no phones)."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    grid_id = me.StringField(required=True)
    address = me.DictField()
    address_text = me.StringField()
    residency = me.StringField()
    residents = me.EmbeddedDocumentListField(RegisterResident)
    status = me.StringField(choices=("active", "left"), default="active")
    search_text = me.StringField()
    # The time of the newest event applied: an older event arriving late never overwrites a newer one.
    as_of = me.DateTimeField(required=True)
    meta = {"collection": "register_households", "indexes": [("community_id", "grid_id"), "grid_id"]}

    @property
    def care(self) -> bool:
        return any(r.care_tags for r in self.residents)


# ---- mediators ---------------------------------------------------------------------------------

class Mediator(me.Document):
    """A people's mediator (人民调解员) and the communities they mediate in."""

    id = me.StringField(primary_key=True)  # the gateway's user id
    name = me.StringField(required=True, max_length=40)
    community_ids = me.ListField(me.StringField())
    active = me.BooleanField(default=True)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {"collection": "mediators", "indexes": ["community_ids"]}


# ---- disputes ----------------------------------------------------------------------------------

class Person(me.EmbeddedDocument):
    user_id = me.StringField(required=True)
    name = me.StringField()
    role = me.StringField()


class Party(me.EmbeddedDocument):
    party_id = me.StringField(required=True)
    role = me.StringField(required=True, choices=PARTY_ROLES)
    kind = me.StringField(required=True, choices=PARTY_KINDS)
    name = me.StringField(required=True, max_length=60)
    household_id = me.StringField()
    resident_id = me.StringField()
    community_id = me.StringField()
    grid_id = me.StringField()
    address = me.StringField(max_length=200)
    phone = me.StringField(max_length=11)  # outside people only; masked on every read
    organisation = me.BooleanField(default=False)
    vulnerable = me.BooleanField(default=False)


class Assignment(me.EmbeddedDocument):
    mediator_id = me.StringField(required=True)
    mediator_name = me.StringField()
    at = me.DateTimeField(required=True)
    by = me.StringField(required=True)
    by_name = me.StringField()
    reason = me.StringField()


class Pause(me.EmbeddedDocument):
    started_on = me.DateField(required=True)
    reason = me.StringField(required=True)
    by = me.StringField(required=True)
    ended_on = me.DateField()
    ended_by = me.StringField()
    working_days = me.IntField()


EXTENSION_STATUSES = ("pending", "approved", "refused")


class Extension(me.EmbeddedDocument):
    """An extension the handler requested (by, at) and community staff decided; only an approved one counts.
    Extensions stored before requests existed were granted at once: they read as approved."""

    working_days = me.IntField(required=True)
    reason = me.StringField(required=True)
    by = me.StringField(required=True)
    by_name = me.StringField()
    at = me.DateTimeField(required=True)
    status = me.StringField(choices=EXTENSION_STATUSES, default="approved")
    decided_by = me.StringField()
    decided_by_name = me.StringField()
    decided_at = me.DateTimeField()
    decision_reason = me.StringField(max_length=500)
    due_before = me.DateField()
    due_after = me.DateField()


class Attendance(me.EmbeddedDocument):
    party_id = me.StringField(required=True)
    present = me.BooleanField(required=True)


class Session(me.EmbeddedDocument):
    session_id = me.StringField(required=True)
    held_on = me.DateField(required=True)
    place = me.StringField(max_length=100)
    attendance = me.EmbeddedDocumentListField(Attendance)
    others_present = me.ListField(me.StringField(max_length=60))
    notes = me.StringField(max_length=5000)
    by = me.StringField(required=True)
    by_name = me.StringField()
    at = me.DateTimeField(required=True)


class Outcome(me.EmbeddedDocument):
    kind = me.StringField(required=True, choices=OUTCOMES)
    terms = me.ListField(me.StringField(max_length=1000))
    summary = me.StringField(max_length=2000)
    decided_on = me.DateField(required=True)
    referral_result = me.StringField(choices=REFERRAL_RESULTS)
    by = me.StringField(required=True)
    at = me.DateTimeField(required=True)


class Referral(me.EmbeddedDocument):
    referral_id = me.StringField(required=True)
    kind = me.StringField(required=True, choices=REFERRAL_KINDS)
    to_body = me.StringField(required=True, max_length=100)
    reason = me.StringField(max_length=1000)
    referred_on = me.DateField(required=True)
    by = me.StringField(required=True)
    resume_status = me.StringField()
    result = me.StringField(choices=REFERRAL_RESULTS)
    note = me.StringField(max_length=2000)
    returned_on = me.DateField()
    returned_by = me.StringField()


class Escalation(me.EmbeddedDocument):
    reasons = me.ListField(me.StringField(choices=ESCALATION_REASONS))
    levels = me.ListField(me.StringField(choices=ESCALATION_LEVELS))
    note = me.StringField(max_length=2000)
    households_involved = me.IntField()
    automatic = me.BooleanField(default=False)
    by = me.StringField(required=True)
    by_name = me.StringField()
    at = me.DateTimeField(required=True)


class Survey(me.EmbeddedDocument):
    open_until = me.DateField(required=True)
    issued_at = me.DateTimeField(required=True)
    rating = me.IntField(min_value=1, max_value=5)
    comment = me.StringField(max_length=500)
    answered_at = me.DateTimeField()


class Annotation(me.EmbeddedDocument):
    at = me.DateTimeField(required=True)
    by = me.StringField(required=True)
    by_name = me.StringField()
    text = me.StringField(required=True, max_length=2000)


class Step(me.EmbeddedDocument):
    at = me.DateTimeField(required=True)
    action = me.StringField(required=True)
    by = me.StringField()
    by_name = me.StringField()
    detail = me.DictField()


# ---- what only requests and incidents have ---------------------------------------------------------

class Place(me.EmbeddedDocument):
    """Where an incident is: a building of the grid or words, and a GPS point only if the reporter attached it."""

    building = me.StringField(max_length=40)
    text = me.StringField(max_length=200)
    lat = me.FloatField(min_value=-90, max_value=90)
    lon = me.FloatField(min_value=-180, max_value=180)
    gps_from = me.StringField(choices=("phone", "photo"))


class Photo(me.EmbeddedDocument):
    """A photo kept in GridFS (cleaned: re-encoded without EXIF); the case holds its id and what it is."""

    photo_id = me.StringField(required=True)
    content_type = me.StringField(required=True, choices=("image/jpeg", "image/png", "image/webp"))
    size = me.IntField(required=True)
    width = me.IntField(required=True)
    height = me.IntField(required=True)
    stage = me.StringField(choices=("reported", "handled"), default="reported")
    at = me.DateTimeField(required=True)
    by = me.StringField(required=True)


class Dispatch(me.EmbeddedDocument):
    """分拨: one round of handling, to a department (staff record its answer) or a person, due on its own date."""

    dispatch_id = me.StringField(required=True)
    round = me.IntField(required=True)
    target = me.StringField(required=True, choices=DISPATCH_TARGETS)
    department = me.StringField(max_length=40)  # a code of DISPATCH_DEPARTMENTS
    user_id = me.StringField()
    user_name = me.StringField(max_length=40)
    due_on = me.DateField(required=True)
    note = me.StringField(max_length=1000)
    at = me.DateTimeField(required=True)
    by = me.StringField(required=True)
    by_name = me.StringField()
    state = me.StringField(choices=("open", "handled", "sent_back", "verified"), default="open")
    handled_on = me.DateField()
    handled_by = me.StringField()
    handled_by_name = me.StringField()
    handling = me.StringField(max_length=2000)  # what was done, as the resident will read it
    on_time = me.BooleanField()  # handled by the round's own due date
    sent_back_reason = me.StringField(max_length=1000)


class Verification(me.EmbeddedDocument):
    """核查: the reporter or community staff checked the handling: passed (the case closes) or sent back."""

    dispatch_id = me.StringField(required=True)
    passed = me.BooleanField(required=True)
    note = me.StringField(max_length=1000)
    at = me.DateTimeField(required=True)
    by = me.StringField(required=True)
    by_name = me.StringField()


class HelpRequest(me.EmbeddedDocument):
    """A request's call for volunteers (an elderly man needs groceries), sent as case.help_requested."""

    help = me.StringField(required=True, choices=HELP_KINDS)
    summary = me.StringField(required=True, max_length=200)
    household_id = me.StringField()
    needed_by = me.DateField()
    at = me.DateTimeField(required=True)
    by = me.StringField(required=True)


class Dispute(Aggregate):
    """一案一档: a case of the desk from intake to archive — a dispute, a request for help or an incident.
    (Named for the first kind it held; its collection is still `disputes`.)"""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    # Cases stored before the desk had kinds have no `kind`: they are disputes (case_file.kind_query).
    kind = me.StringField(choices=KINDS, default="dispute")
    number = me.StringField(required=True, unique=True)
    year = me.IntField(required=True)
    month = me.StringField(required=True)  # "2026-03", for the hot-spot tables

    community_id = me.StringField(required=True)
    grid_id = me.StringField()
    # Checked against the kind's list by the use case (rules.check_category): incidents' list is a setting.
    category = me.StringField(required=True, max_length=40)
    description = me.StringField(required=True, max_length=5000)
    urgency = me.StringField(required=True, choices=URGENCIES)
    channel = me.StringField(required=True, choices=CHANNELS)
    referred_from = me.StringField(max_length=100)
    violence_risk = me.BooleanField(default=False)
    households_involved = me.IntField(default=0)
    parties = me.EmbeddedDocumentListField(Party)

    # 首问责任人: recorded once, never changed.
    first_contact = me.EmbeddedDocumentField(Person, required=True)
    owner_id = me.StringField(required=True)
    mediator_id = me.StringField()
    mediator_name = me.StringField()
    assignments = me.EmbeddedDocumentListField(Assignment)

    status = me.StringField(required=True, choices=STATUSES, default="registered")
    resume_status = me.StringField(choices=STATUSES)

    # The clock: due_on = working_days + extensions + paused working days after registered_on.
    registered_on = me.DateField(required=True)
    working_days = me.IntField(required=True)
    due_on = me.DateField(required=True)
    pauses = me.EmbeddedDocumentListField(Pause)
    extensions = me.EmbeddedDocumentListField(Extension)
    calendar_unknown_years = me.ListField(me.IntField())
    warned_at = me.DateTimeField()
    overdue_at = me.DateTimeField()

    sessions = me.EmbeddedDocumentListField(Session)
    outcome = me.EmbeddedDocumentField(Outcome)
    referrals = me.EmbeddedDocumentListField(Referral)
    judicial_confirmation = me.StringField(choices=("confirmed", "not_confirmed"))
    major = me.BooleanField(default=False)
    escalation = me.EmbeddedDocumentField(Escalation)
    notice_given_at = me.DateTimeField()

    closed_on = me.DateField()
    closed_by = me.StringField()
    close_note = me.StringField(max_length=2000)
    survey = me.EmbeddedDocumentField(Survey)
    # sha256 of the satisfaction link's token: the token itself is only ever in the link.
    survey_token_hash = me.StringField(sparse=True, unique=True)

    archive_number = me.StringField(sparse=True, unique=True)
    archived_on = me.DateField()
    archived_by = me.StringField()
    annotations = me.EmbeddedDocumentListField(Annotation)

    # Requests and incidents: where, photos, dispatch rounds, verification, the resident's feedback link.
    place = me.EmbeddedDocumentField(Place)
    photos = me.EmbeddedDocumentListField(Photo)
    dispatches = me.EmbeddedDocumentListField(Dispatch)
    handler_id = me.StringField()  # the person the open dispatch is to: sees and handles the case
    verifications = me.EmbeddedDocumentListField(Verification)
    help_request = me.EmbeddedDocumentField(HelpRequest)
    # sha256 of the receipt's feedback link token (the resident follows the case and is told the outcome there).
    receipt_token_hash = me.StringField(sparse=True, unique=True)
    # The phone's id for a report queued offline: sent again on reconnecting, it finds this case instead of a second.
    client_id = me.StringField(max_length=64)

    history = me.EmbeddedDocumentListField(Step)
    created_at = me.DateTimeField(default=now)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {
        "collection": "disputes",
        "indexes": [
            ("community_id", "status", "due_on"),
            ("grid_id", "status"),
            ("owner_id", "status"),
            ("mediator_id", "status"),
            ("status", "due_on"),
            ("year", "community_id"),
            ("kind", "community_id", "status"),
            ("handler_id", "status"),
            {"fields": ["owner_id", "client_id"], "unique": True, "partialFilterExpression": {
                "client_id": {"$type": "string"}}},
            "parties.household_id",
        ],
    }

    def current_dispatch(self):
        """The dispatch round being handled or waiting for verification, if any."""
        return next((x for x in reversed(self.dispatches) if x.state in ("open", "handled")), None)

    def paused_working_days(self) -> int:
        return sum(p.working_days or 0 for p in self.pauses)

    def extended_working_days(self) -> int:
        """Working days added by approved extensions (a pending or refused request adds none)."""
        return sum(e.working_days for e in self.extensions if e.status == "approved")

    def pending_extension(self):
        """The extension request waiting for a decision, if any."""
        return next((e for e in self.extensions if e.status == "pending"), None)

    def clock_state(self, today=None) -> dict:
        """Where the case stands against its deadline today (computed, never stored)."""
        today = today or clock.today()
        running = self.status in CLOCK_RUNNING
        end = today if self.status in OPEN else (self.closed_on or self.archived_on or today)
        age = working_days_between(self.registered_on, end)
        left = overdue = None
        if running:
            overdue = today > self.due_on
            left = (-working_days_between(self.due_on, today).value if overdue
                    else working_days_between(today, self.due_on).value)
        years = set(self.calendar_unknown_years or ()) | set(age.unknown_years)
        return {"running": running, "due_on": self.due_on, "overdue": bool(overdue), "working_days_left": left,
                "age_working_days": age.value, "paused_working_days": self.paused_working_days(),
                "extended_working_days": self.extended_working_days(),
                "extension_pending": self.pending_extension() is not None,
                "extensions_left": max(0, SETTINGS.MAX_EXTENSIONS - sum(
                    1 for e in self.extensions if e.status == "approved")),
                "paused_since": self.pauses[-1].started_on if self.status == "paused" else None,
                "calendar_warning": warning_text(years)}


class Notification(me.Document):
    """A line in a user's feed: a step of a case they own or mediate (built from this service's events)."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    user_id = me.StringField(required=True)
    event_id = me.StringField(required=True)
    event_type = me.StringField(required=True)
    dispute_id = me.StringField(required=True)
    number = me.StringField(required=True)
    community_id = me.StringField()
    message = me.StringField(required=True)
    why = me.StringField(choices=("first_contact", "mediator", "previous_mediator", "handler"))
    at = me.DateTimeField(required=True)
    read_at = me.DateTimeField()
    meta = {
        "collection": "notifications",
        "indexes": [{"fields": ["user_id", "event_id"], "unique": True}, ("user_id", "-at")],
    }


class RevealRecord(me.Document):
    """Every time someone looked at a party's full phone number: who, when, why."""

    dispute_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    role = me.StringField(required=True)
    reason = me.StringField(required=True, max_length=200)
    at = me.DateTimeField(default=now)
    meta = {"collection": "reveal_records", "indexes": ["dispute_id"]}
