"""Documents of the volunteers service: its copy of the register, links, volunteers, teams, needs, hours, certificates."""

import mongoengine as me
from bson import ObjectId

from shared.clock import now
from shared.messaging.outbox import Aggregate

CODE = r"^[A-Za-z0-9_-]{1,40}$"

# The fixed list of skills a volunteer can offer (code -> label on screen).
SKILLS = {
    "elderly_care": "助老服务",
    "child_care": "儿童关爱",
    "tutoring": "课业辅导",
    "disability_support": "助残服务",
    "first_aid": "急救",
    "medical": "医疗护理",
    "psychological": "心理疏导",
    "legal": "法律咨询",
    "mediation": "矛盾调解",
    "emergency_rescue": "应急救援",
    "driving": "驾驶",
    "repair": "维修",
    "it": "信息技术",
    "publicity": "宣传",
    "patrol": "治安巡逻",
    "environment": "环境卫生",
    "culture_sports": "文体活动",
    "sign_language": "手语",
    "logistics": "后勤保障",
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# Time slots of a day, by local hour [start, end).
SLOTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 23)}
SLOT_LABELS = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}
AVAILABILITY = tuple(f"{d}_{s}" for d in DAYS for s in SLOTS)

# The skills a special-care flag asks of volunteers. How often someone visits is households' cadence for the tag
# (care.cadences_set, kept in CareCadences), not a table here.
CARE_SKILLS = {
    "elderly_alone": ("elderly_care",),
    "empty_nest": ("elderly_care",),
    "left_behind_child": ("child_care", "tutoring"),
    "child_in_difficulty": ("child_care", "psychological"),
    "disability": ("disability_support",),
    "subsistence": (),
    "extreme_poverty": ("elderly_care",),
    "entitled_group": (),
}
CARE_LABELS = {
    "elderly_alone": "孤寡/独居老人", "empty_nest": "空巢老人", "left_behind_child": "留守儿童",
    "child_in_difficulty": "困境儿童", "disability": "残疾人", "subsistence": "低保对象",
    "extreme_poverty": "特困人员", "entitled_group": "优抚对象",
}

ACTIVE_DAYS = 90
CONSENT_VERSION = "2025-01"


# ---- the copy of the register, kept from households events ------------------------------------

class CommunityCopy(me.Document):
    """A community as this service knows it: resident counts come from household events."""

    id = me.StringField(primary_key=True)
    name = me.StringField(max_length=60)
    residents = me.IntField(default=0)
    households = me.IntField(default=0)
    refreshed_at = me.DateTimeField()  # when the last recount was written
    # Household copies of the community changed this many times, and as of the last recount: a counter, not a
    # time, so a change in the same millisecond as a recount is neither missed nor counted twice.
    changes = me.IntField(default=0)
    counted_changes = me.IntField(default=0)
    meta = {"collection": "communities"}

    @property
    def display_name(self) -> str:
        return self.name or self.id


class GridCopy(me.Document):
    """A grid of a community, from grid.created."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField(required=True)
    name = me.StringField()
    meta = {"collection": "grids", "indexes": ["community_id"]}


class HouseholdCopy(me.Document):
    """Where a household lives and how many residents it has (written by the worker with raw, guarded updates)."""

    id = me.StringField(primary_key=True)
    community_id = me.StringField()
    grid_id = me.StringField()
    residents = me.IntField(default=0)
    status = me.StringField(choices=("active", "left"))
    as_of = me.DateTimeField()
    # Each aspect keeps the time of the event that set it (place_as_of, residents_as_of, status_as_of).
    meta = {"collection": "household_copies", "indexes": [("community_id", "status")]}


class CareState(me.Document):
    """The latest care flag/clear seen for a resident and tag (so a late event cannot undo a newer one)."""

    id = me.StringField(primary_key=True)  # resident_id|tag
    flagged = me.BooleanField(required=True)
    as_of = me.DateTimeField(required=True)
    meta = {"collection": "care_states"}


class CareCadences(me.Document):
    """The visit cadence of each care tag, as households last published it (care.cadences_set): days per tag."""

    id = me.StringField(primary_key=True)  # "current"
    cadences = me.DictField()
    default_days = me.IntField()
    as_of = me.DateTimeField()  # the event's time: a late, older table never replaces a newer one
    meta = {"collection": "care_cadences"}


# ---- links and volunteers ---------------------------------------------------------------------

class SignupLink(me.Document):
    """A public sign-up link (and its QR code) for a community or one of its teams."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    token = me.StringField(required=True, unique=True)
    community_id = me.StringField(required=True)
    team_id = me.StringField()
    title = me.StringField(max_length=80)
    expires_at = me.DateTimeField(required=True)
    capacity = me.IntField(min_value=1)
    filled = me.IntField(default=0)  # places taken; changed only by atomic $inc
    closed_at = me.DateTimeField()
    created_by = me.StringField()
    created_at = me.DateTimeField(default=now)
    meta = {"collection": "signup_links", "indexes": [("community_id", "-created_at"), "team_id"]}


class Consent(me.EmbeddedDocument):
    given_at = me.DateTimeField(required=True)
    version = me.StringField(required=True)


class VolunteerRecord(Aggregate):
    """志愿者: one person per community, recognised by phone or ID number."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True)
    grid_id = me.StringField()
    name = me.StringField(required=True, max_length=40)
    phone = me.StringField(required=True, max_length=11)
    id_number = me.StringField(max_length=18)
    # community|phone and community|id_number: unique, so the same person is never stored twice.
    phone_key = me.StringField(required=True, unique=True)
    id_key = me.StringField(unique=True, sparse=True)
    skills = me.ListField(me.StringField(choices=tuple(SKILLS)))
    availability = me.ListField(me.StringField(choices=AVAILABILITY))
    team_ids = me.ListField(me.StringField())
    status = me.StringField(required=True, choices=("registered", "waitlisted", "left"))
    link_id = me.StringField()
    holds_place = me.BooleanField(default=False)  # counted in its link's `filled`
    waitlisted_at = me.DateTimeField()
    registered_at = me.DateTimeField()
    left_at = me.DateTimeField()
    left_reason = me.StringField(max_length=200)
    # sha256 of the personal link's token (shared.tokens): the token itself is only ever in the link.
    personal_token_hash = me.StringField(db_field="personal_token", required=True, unique=True)
    consent = me.EmbeddedDocumentField(Consent, required=True)
    created_at = me.DateTimeField(default=now)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    meta = {
        "collection": "volunteers",
        "indexes": [("community_id", "status", "name"), ("link_id", "status", "waitlisted_at"), "team_ids",
                    "grid_id"],
    }


class SignupClaim(me.Document):
    """A public sign-up that matched an existing volunteer (phone or ID number): staff confirm (merge) or reject it.

    Nothing of the matched record is shown to whoever signed up; the claim keeps what they typed and its own
    personal link, which becomes the volunteer's link when staff confirm.
    """

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    volunteer_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    link_id = me.StringField(required=True)
    team_id = me.StringField()
    matched_on = me.StringField(required=True, choices=("phone", "id_number"))
    name = me.StringField(required=True, max_length=40)
    phone = me.StringField(required=True, max_length=11)
    id_number = me.StringField(max_length=18)
    grid_id = me.StringField()
    skills = me.ListField(me.StringField(choices=tuple(SKILLS)))
    availability = me.ListField(me.StringField(choices=AVAILABILITY))
    consent = me.EmbeddedDocumentField(Consent, required=True)
    holds_place = me.BooleanField(default=False)  # took a place of its link, as a new sign-up would
    status = me.StringField(required=True, choices=("pending", "confirmed", "rejected"), default="pending")
    token_hash = me.StringField(unique=True, sparse=True)  # the claim's personal link, until confirmed
    created_at = me.DateTimeField(default=now)
    updated_at = me.DateTimeField(default=now)
    decided_at = me.DateTimeField()
    decided_by = me.StringField()
    decision_note = me.StringField(max_length=200)
    meta = {"collection": "signup_claims", "indexes": [("community_id", "status", "created_at"), "volunteer_id"]}


class ContactReveal(me.Document):
    """Every look at a volunteer's full phone or ID number: who, when, why."""

    volunteer_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    role = me.StringField(required=True)
    reason = me.StringField(required=True, max_length=200)
    at = me.DateTimeField(default=now)
    meta = {"collection": "reveal_records", "indexes": ["volunteer_id"]}


class Team(Aggregate):
    """志愿服务队: a community's team, led by team leaders (user ids)."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True)
    name = me.StringField(required=True, max_length=60)
    description = me.StringField(max_length=500)
    leader_ids = me.ListField(me.StringField(max_length=80))
    created_at = me.DateTimeField(default=now)
    created_by = me.StringField()
    meta = {"collection": "teams",
            "indexes": [{"fields": ["community_id", "name"], "unique": True}, "leader_ids"]}


# ---- needs -------------------------------------------------------------------------------------

class NeedAssignment(me.EmbeddedDocument):
    volunteer_id = me.StringField(required=True)
    name = me.StringField()
    status = me.StringField(required=True, choices=("confirmed", "completed", "cancelled"))
    confirmed_by = me.StringField()
    confirmed_at = me.DateTimeField()
    completed_at = me.DateTimeField()
    visits = me.IntField(default=0)  # completed rounds of a standing need


class CareSubject(me.EmbeddedDocument):
    household_id = me.StringField(required=True)
    resident_id = me.StringField(required=True)
    name = me.StringField()
    tag = me.StringField(required=True)


class CaseLink(me.EmbeddedDocument):
    """The request for help (mediation's case) a need was opened for; the household by id only."""

    case_id = me.StringField(required=True)
    number = me.StringField()
    household_id = me.StringField()
    help = me.StringField()


class EndedCase(me.Document):
    """A request for help that closed or was archived: a late case.help_requested for it opens no need."""

    id = me.StringField(primary_key=True)  # the case id
    at = me.DateTimeField(default=now)
    meta = {"collection": "ended_cases"}


class Need(Aggregate):
    """A need for volunteers: a place, a time, skills and a number of people."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    community_id = me.StringField(required=True)
    grid_id = me.StringField()
    kind = me.StringField(required=True, choices=("manual", "care", "drill", "request"))
    title = me.StringField(required=True, max_length=120)
    description = me.StringField(max_length=2000)
    starts_at = me.DateTimeField(required=True)
    ends_at = me.DateTimeField()
    recurrence = me.StringField(choices=("weekly", "monthly", "days"))
    every_days = me.IntField(min_value=1)  # with recurrence "days": a standing care need, at the tag's cadence
    skills = me.ListField(me.StringField())
    people_wanted = me.IntField(required=True, min_value=1)
    team_ids = me.ListField(me.StringField())  # empty: any team of the community
    status = me.StringField(required=True, choices=("open", "filled", "closed"), default="open")
    assignments = me.EmbeddedDocumentListField(NeedAssignment)
    care = me.EmbeddedDocumentField(CareSubject)
    drill_id = me.StringField()
    case = me.EmbeddedDocumentField(CaseLink)  # kind request: the mediation service's case
    # While open: care|resident|tag, drill|drill_id or case|case_id, unique, so an event opens one need only.
    open_key = me.StringField(unique=True, sparse=True)
    # The event that opened it: a redelivery never opens a second need, even after this one closed.
    source_event_id = me.StringField(unique=True, sparse=True)
    opened_at = me.DateTimeField(default=now)
    opened_by = me.StringField()
    filled_at = me.DateTimeField()
    closed_at = me.DateTimeField()
    closed_reason = me.StringField(max_length=200)
    meta = {
        "collection": "needs",
        "indexes": [("community_id", "status", "starts_at"), "care.household_id", "drill_id"],
    }

    def active_assignments(self) -> list[NeedAssignment]:
        return [a for a in self.assignments if a.status != "cancelled"]


# ---- hours, reports, certificates --------------------------------------------------------------

class HoursEntry(Aggregate):
    """One line of the append-only hours ledger; a correction is a new line that refers to the old one.

    `hours` is what this line says the service was; `delta` is what it adds to totals (a correction's
    delta is its hours minus the hours of the line it corrects). Lines are never changed or deleted.
    """

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    volunteer_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    team_id = me.StringField()
    source = me.StringField(required=True, choices=("task", "drill", "self_report", "correction"))
    source_ref = me.StringField()
    # What the hours were for (task|need|volunteer[|day], drill|drill|volunteer, report|id): unique, once only.
    source_key = me.StringField(unique=True, sparse=True)
    corrects = me.StringField(unique=True, sparse=True)  # a line is corrected at most once: chains stay linear
    served_on = me.DateField(required=True)
    hours = me.FloatField(required=True, min_value=0, max_value=24)
    delta = me.FloatField(required=True)
    note = me.StringField(max_length=500)
    recorded_by = me.StringField()
    recorded_at = me.DateTimeField(default=now)
    meta = {
        "collection": "hours_ledger",
        "indexes": [("volunteer_id", "served_on"), ("community_id", "served_on")],
    }


class ServiceReport(me.Document):
    """Service a volunteer reports themselves; a team leader approves (hours recorded) or rejects it."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    volunteer_id = me.StringField(required=True)
    volunteer_name = me.StringField()
    community_id = me.StringField(required=True)
    team_id = me.StringField()
    served_on = me.DateField(required=True)
    hours = me.FloatField(required=True, min_value=0.25, max_value=24)
    description = me.StringField(required=True, max_length=500)
    status = me.StringField(required=True, choices=("pending", "approved", "rejected"), default="pending")
    decided_by = me.StringField()
    decided_at = me.DateTimeField()
    decision_note = me.StringField(max_length=200)
    entry_id = me.StringField()
    created_at = me.DateTimeField(default=now)
    meta = {"collection": "service_reports", "indexes": [("community_id", "status"), "volunteer_id"]}


class Certificate(Aggregate):
    """志愿服务证明: hours of a volunteer over a period, with a serial anyone can verify."""

    id = me.ObjectIdField(primary_key=True, default=ObjectId)
    serial = me.StringField(required=True, unique=True)
    volunteer_id = me.StringField(required=True)
    volunteer_name = me.StringField(required=True)
    community_id = me.StringField(required=True)
    community_name = me.StringField(required=True)
    period_from = me.DateField(required=True)
    period_to = me.DateField(required=True)
    hours = me.FloatField(required=True)
    entries = me.IntField(default=0)
    issued_by = me.StringField()
    issued_by_name = me.StringField()
    issued_at = me.DateTimeField(default=now)
    status = me.StringField(choices=("valid", "revoked"), default="valid")
    revoked_at = me.DateTimeField()
    revoked_by = me.StringField()
    revoked_reason = me.StringField(max_length=200)
    meta = {"collection": "certificates", "indexes": ["volunteer_id", ("community_id", "-issued_at")]}
