"""Cases: intake (register, parties from the register, the receipt and one-time notice), reading, editing."""
import uuid

import mongoengine as me

from services.mediation import documents, events, notices, working_days
from services.mediation.config import SETTINGS
from services.mediation.models import (
    CLOCK_RUNNING,
    OPEN,
    Annotation,
    Dispute,
    Party,
    Person,
    RegisterGrid,
    RegisterHousehold,
    RevealRecord,
)
from services.mediation.rules import EDITABLE, changeable, involved_households, major_reasons, recompute_due
from services.mediation.service.case_file import (
    dispute,
    given,
    handled,
    kind_query,
    next_number,
    scope_query,
    step,
)
from services.mediation.service.escalations import escalation
from shared import clock
from shared.clock import now
from shared.db import text_match
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.reasons import common
from shared.reasons import mediation as reasons

# ---- intake ------------------------------------------------------------------------------------


def search_register(*, actor: Principal, grid_id: str | None = None, community_id: str | None = None,
                    q: str | None = None, limit: int = 20) -> list[RegisterHousehold]:
    """Households of the register in the caller's area, to pick parties from."""
    actor.require("disputes.register")
    query = RegisterHousehold.objects(me.Q(status="active") & scope_query(actor, personal=False)
                                      & given(grid_id=grid_id, community_id=community_id))
    if q:
        query = query.filter(__raw__={"search_text": text_match(q.lower())})
    return list(query.order_by("grid_id", "address_text").limit(limit))


def party(actor: Principal, row: dict) -> Party:
    if row["kind"] == "person":
        return Party(party_id=uuid.uuid4().hex[:10], role=row["role"], kind="person", name=row["name"],
                     address=row.get("address"), phone=row.get("phone"), organisation=row.get("organisation", False),
                     vulnerable=row.get("vulnerable", False))
    h = RegisterHousehold.objects(pk=row["household_id"]).first()
    if h is None or not actor.covers(community_id=h.community_id, grid_id=h.grid_id):
        raise Invalid(reasons.HOUSEHOLD_OUTSIDE(household_id=row["household_id"]), field="parties")
    residents = {r.resident_id: r for r in h.residents}
    if row.get("resident_id"):
        if row["resident_id"] not in residents:
            raise Invalid(reasons.RESIDENT_ELSEWHERE(resident_id=row["resident_id"], household_id=h.pk),
                          field="parties")
        person = residents[row["resident_id"]]
        care = bool(person.care_tags)
    else:
        person = next((r for r in h.residents if r.relation == "head"), h.residents[0] if h.residents else None)
        care = h.care
    return Party(party_id=uuid.uuid4().hex[:10], role=row["role"], kind="household", household_id=h.pk,
                 resident_id=row.get("resident_id"), name=row.get("name") or (person.name if person else h.address_text),
                 community_id=h.community_id, grid_id=h.grid_id, address=h.address_text,
                 vulnerable=row.get("vulnerable", False) or care)


def place(actor: Principal, grid_id, community_id, parties) -> tuple[str, str | None]:
    if not grid_id and not community_id:
        first = next((p for p in parties if p.kind == "household"), None)
        if first is None:
            raise Invalid(reasons.PLACE_NEEDED(), field="grid_id")
        grid_id = first.grid_id
    if grid_id:
        grid = RegisterGrid.objects(pk=grid_id).first()
        if grid is None:
            raise Invalid(reasons.GRID_UNKNOWN(id=grid_id), field="grid_id")
        if community_id and community_id != grid.community_id:
            raise Invalid(reasons.GRID_ELSEWHERE(id=grid_id, community_id=community_id), field="community_id")
        community_id = grid.community_id
    elif not RegisterGrid.objects(community_id=community_id).first():
        raise Invalid(reasons.COMMUNITY_UNKNOWN(id=community_id), field="community_id")
    if not actor.covers(community_id=community_id, grid_id=grid_id):
        raise NotFound(reasons.COMMUNITY_NOT_FOUND(), field="community_id")
    return community_id, grid_id


def received(data: dict):
    """The day a case was received: today, or a paper intake's date (not ahead, not too long ago)."""
    today = clock.today()
    received_on = data.get("received_on") or today
    if received_on > today:
        raise Invalid(reasons.RECEIVED_IN_FUTURE(), field="received_on")
    if (today - received_on).days > SETTINGS.DISPUTE_MAX_BACKDATE_DAYS:
        raise Invalid(reasons.RECEIVED_TOO_LONG_AGO(n=SETTINGS.DISPUTE_MAX_BACKDATE_DAYS), field="received_on")
    return received_on


def opened(actor: Principal, received_on, **fields) -> Dispute:
    """A new case of any kind received by the caller (its first-contact owner for good), its clock started."""
    d = Dispute(year=received_on.year, month=received_on.strftime("%Y-%m"),
                first_contact=Person(user_id=actor.user_id, name=actor.name, role=actor.role),
                owner_id=actor.user_id, status="registered", registered_on=received_on,
                working_days=SETTINGS.DISPUTE_DUE_WORKING_DAYS, due_on=received_on, notice_given_at=now(), **fields)
    recompute_due(d)
    return d


def numbered(d: Dispute, prefix: str) -> None:
    """Give the case its number once every check has passed, so bad input leaves no gap in the sequence."""
    d.number = "pending"
    d.validate()
    d.number = next_number(prefix, d.registered_on.year)


def register_dispute(*, actor: Principal, data: dict) -> Dispute:
    """Register a dispute; the caller becomes its first-contact owner for good."""
    actor.require("disputes.register")
    received_on = received(data)
    parties = [party(actor, row) for row in data["parties"]]
    community_id, grid_id = place(actor, data.get("grid_id"), data.get("community_id"), parties)
    involved = involved_households(parties, data.get("households_involved"))
    major = major_reasons(households_involved=involved, violence_risk=data.get("violence_risk", False),
                          parties=parties, threshold=SETTINGS.DISPUTE_MAJOR_HOUSEHOLDS)
    d = opened(actor, received_on, community_id=community_id, grid_id=grid_id, category=data["category"],
               description=data["description"], urgency=data["urgency"], channel=data["channel"],
               referred_from=data.get("referred_from"), violence_risk=data.get("violence_risk", False),
               households_involved=involved, parties=parties)
    numbered(d, "XF")
    d.major = bool(major)
    step(d, actor, "registered", channel=d.channel, due_on=d.due_on)
    raised = [events.registered(d, actor.user_id)]
    if major:
        raised.append(escalation(d, actor, major, "登记时自动识别为重大案件", automatic=True))
    return commit(d, *raised)


def receipt(d: Dispute) -> dict:
    """The applicant's receipt: case number, dates, who received it, and the one-time notice (一次告知)."""
    state = d.clock_state()
    applicants = [p.name for p in d.parties if p.role == "applicant"]
    return {"number": d.number, "kind": d.kind, "kind_label": notices.kind_label(d.kind),
            "registered_on": d.registered_on, "due_on": d.due_on,
            "working_days": d.working_days, "category": d.category,
            "category_label": notices.category_label(d.kind, d.category), "applicants": applicants,
            "received_by": d.first_contact.name or d.first_contact.user_id,
            "notice": notices.desk_notice(d.kind, d.category, due=d.due_on, days=d.working_days),
            "calendar_warning": state["calendar_warning"]}


def list_notices(*, actor: Principal) -> list[dict]:
    """The one-time notice of each category, dated as for a case registered today (for the intake form)."""
    actor.require("disputes.register")
    days = SETTINGS.DISPUTE_DUE_WORKING_DAYS
    due = working_days.due_date(clock.today(), working_days=days).value
    return [notices.notice(c, due=due, days=days) for c in notices.CATEGORY_LABELS]


# ---- reading -----------------------------------------------------------------------------------

def get_dispute(*, actor: Principal, dispute_id: str) -> Dispute:
    """One case, parties' phones masked."""
    return dispute(actor, dispute_id)


def get_receipt(*, actor: Principal, dispute_id: str) -> dict:
    """The receipt again (for reprinting)."""
    return receipt(dispute(actor, dispute_id))


def receipt_pdf(*, actor: Principal, dispute_id: str) -> tuple[str, bytes]:
    """The receipt with the one-time notice as a PDF to print: (file name, bytes)."""
    d = dispute(actor, dispute_id)
    return f"{d.number}-回执.pdf", documents.receipt(d, receipt(d))


def agreement_pdf(*, actor: Principal, dispute_id: str) -> tuple[str, bytes]:
    """The 调解协议书 of a case settled by agreement, for signing: (file name, bytes)."""
    d = dispute(actor, dispute_id)
    if not d.outcome or d.outcome.kind != "agreement":
        raise Conflict(reasons.NO_AGREEMENT())
    return f"{d.number}-调解协议书.pdf", documents.agreement(d)


def list_disputes(*, actor: Principal, community_id=None, grid_id=None, status="open", category=None, mine=None,
                  overdue=None, escalated=None, q=None, sort="due", page=1, page_size=50) -> dict:
    """A page of cases in the caller's view: overdue and escalated first when sorted by attention."""
    actor.require("disputes.read")
    where = scope_query(actor) & kind_query("dispute") & listed(
        community_id=community_id, grid_id=grid_id, category=category, status=status, overdue=overdue)
    if mine == "first_contact":
        where &= me.Q(owner_id=actor.user_id)
    elif mine == "mediator":
        where &= me.Q(mediator_id=actor.user_id)
    if escalated is not None:
        where &= me.Q(major=escalated)
    return page_of(where, q=q, sort=sort, page=page, page_size=page_size)


def listed(*, community_id=None, grid_id=None, category=None, status="open", overdue=None) -> me.Q:
    """The filters every list of cases has: place, category, status (open, all or one) and overdue now."""
    where = given(community_id=community_id, grid_id=grid_id, category=category)
    if status == "open":
        where &= me.Q(status__in=list(OPEN))
    elif status != "all":
        where &= me.Q(status=status)
    if overdue is not None:
        today = clock.today()
        late = me.Q(status__in=list(CLOCK_RUNNING), due_on__lt=today)
        where &= late if overdue else (me.Q(status__nin=list(CLOCK_RUNNING)) | me.Q(due_on__gte=today))
    return where


def page_of(where: me.Q, *, q=None, sort="due", page=1, page_size=50) -> dict:
    """A page of the cases matching `where` (and `q`: a number's start or words of the description)."""
    query = Dispute.objects(where).exclude("history", "outbox", "annotations", "sessions")
    if q:
        query = query.filter(__raw__={"$or": [{"number": text_match(q, prefix=True)},
                                              {"description": text_match(q)}]})
    total = query.count()
    if sort == "attention":
        today = clock.today()
        rows = list(query.limit(5000))
        rows.sort(key=lambda d: (not (d.status in CLOCK_RUNNING and today > d.due_on), not d.major, d.due_on))
        items = rows[(page - 1) * page_size: page * page_size]
    else:
        order = {"due": ("due_on", "number"), "newest": ("-created_at",)}[sort]
        items = list(query.order_by(*order).skip((page - 1) * page_size).limit(page_size))
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def reveal_parties(*, actor: Principal, dispute_id: str, reason: str) -> Dispute:
    """The case with parties' phone numbers in full; the look is recorded."""
    d = dispute(actor, dispute_id, "disputes.reveal")
    RevealRecord(dispute_id=str(d.pk), user_id=actor.user_id, role=actor.role, reason=reason).save()
    return d


# ---- editing -----------------------------------------------------------------------------------

def update_dispute(*, actor: Principal, dispute_id: str, data: dict) -> Dispute:
    """Correct the description, category, urgency or risk of an open case; the version must be the one read."""
    d = dispute(actor, dispute_id)
    if actor.user_id != d.owner_id:
        d = handled(actor, dispute_id)
    changeable(d, EDITABLE, "edited")
    if data.pop("version") != d.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    changed = {k: v for k, v in data.items() if v is not None and getattr(d, k) != v}
    for key, value in changed.items():
        setattr(d, key, value)
    d.households_involved = involved_households(d.parties, d.households_involved)
    step(d, actor, "updated", fields=sorted(changed))
    raised = []
    major = major_reasons(households_involved=d.households_involved, violence_risk=d.violence_risk,
                          parties=d.parties, threshold=SETTINGS.DISPUTE_MAJOR_HOUSEHOLDS)
    if major and not d.major:
        raised.append(escalation(d, actor, major, "案情更新后识别为重大案件", automatic=True))
    return commit(d, *raised)


def annotate(*, actor: Principal, dispute_id: str, text: str) -> Dispute:
    """Add a note to a case, archived ones included; notes are never edited or removed."""
    for _ in range(5):
        d = dispute(actor, dispute_id, "disputes.annotate")
        d.annotations.append(Annotation(at=now(), by=actor.user_id, by_name=actor.name, text=text))
        try:
            return commit(d)
        except ConcurrentChange:  # someone else wrote meanwhile: appending again is safe
            continue
    raise Conflict(reasons.CASE_BUSY())
