"""Use cases of dispute mediation: the only place that changes documents and raises events.

Scope: a case is visible to callers whose grids or communities cover it, to its first-contact owner
(首问责任人, for good) and to its current mediator; anything else is 404 (deny by default).
"""
import secrets
import uuid
from datetime import date, datetime, timedelta

import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.mediation import clock, documents, events, notices
from services.mediation.config import Rules
from services.mediation.models import (CLOCK_RUNNING, OPEN, Annotation, Assignment, Attendance, Dispute,
                                       Escalation, Extension, Mediator, Notification, Outcome, Party, Pause,
                                       Person, Referral, RegisterGrid, RegisterHousehold, RegisterResident,
                                       RevealRecord, Session, Step, Survey, now)
from shared.db import text_match
from shared.errors import Conflict, Forbidden, Invalid, NotFound, NotYet
from shared.identity import PUBLIC_ROLE, Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.tokens import token_hash as _token_hash

STAFF = {"community_staff", "admin"}
PERMISSIONS = {
    "disputes.read": {"grid_worker", "community_staff", "mediator", "operator", "admin"},
    "disputes.register": {"grid_worker", "community_staff", "mediator", "admin"},
    "disputes.assign": STAFF,
    "disputes.handle": {"community_staff", "mediator", "admin"},
    "disputes.escalate": {"grid_worker", "community_staff", "mediator", "admin"},
    "disputes.annotate": {"grid_worker", "community_staff", "mediator", "admin"},
    "disputes.archive": STAFF,
    "disputes.reveal": {"community_staff", "mediator", "admin"},
    "mediators.manage": STAFF,
    "notifications.read": {"grid_worker", "community_staff", "mediator", "team_leader", "operator", "admin"},
    "reports.read": {"grid_worker", "community_staff", "mediator", "operator", "admin"},
    "survey.answer": {PUBLIC_ROLE},
}
ARCHIVED = "the case is archived: it can no longer be changed, only annotated"
REFERRAL_RESULTS = {"administrative": ("settled", "not_settled"), "judicial": ("settled", "not_settled"),
                    "judicial_confirmation": ("confirmed", "not_confirmed")}


# ---- scope -------------------------------------------------------------------------------------

def _require(actor: Principal, permission: str) -> None:
    if actor.role not in PERMISSIONS[permission]:
        raise Forbidden(f"role {actor.role} may not {permission}")


def _visible(actor: Principal, d: Dispute) -> bool:
    return actor.covers(community_id=d.community_id, grid_id=d.grid_id) or actor.user_id in (d.owner_id, d.mediator_id)


def scope_query(actor: Principal, *, personal: bool = True) -> me.Q:
    """Cases within the caller's grids and communities, plus (if `personal`) the ones they own or mediate."""
    if actor.district_wide:
        return me.Q()
    where = me.Q(grid_id__in=list(actor.grid_ids)) | me.Q(community_id__in=list(actor.community_ids))
    if personal:
        where |= me.Q(owner_id=actor.user_id) | me.Q(mediator_id=actor.user_id)
    return where


def _load(dispute_id: str) -> Dispute | None:
    try:
        return Dispute.objects(pk=ObjectId(dispute_id)).first()
    except (InvalidId, TypeError):
        return None


def _dispute(actor: Principal, dispute_id: str, permission: str = "disputes.read") -> Dispute:
    _require(actor, permission)
    d = _load(dispute_id)
    if d is None or not _visible(actor, d):
        raise NotFound(f"dispute {dispute_id} not found")
    return d


def _managed(actor: Principal, dispute_id: str, permission: str) -> Dispute:
    """A case the caller manages as community staff (or admin) of its place."""
    d = _dispute(actor, dispute_id, permission)
    if not actor.covers(community_id=d.community_id, grid_id=d.grid_id):
        raise Forbidden("only staff of the case's community may do this")
    return d


def _handled(actor: Principal, dispute_id: str) -> Dispute:
    """A case the caller may work on: its assigned mediator, or staff of its community."""
    d = _dispute(actor, dispute_id, "disputes.handle")
    if actor.role == "mediator":
        if d.mediator_id != actor.user_id:
            raise Forbidden("only the mediator assigned to this case may do this")
    elif not actor.covers(community_id=d.community_id, grid_id=d.grid_id):
        raise Forbidden("only staff of the case's community may do this")
    return d


def _changeable(d: Dispute, allowed: tuple[str, ...], action: str) -> None:
    if d.status == "archived":
        raise Conflict(ARCHIVED)
    if d.status not in allowed:
        raise Conflict(f"a case that is {d.status} cannot be {action}", field="status")


def _step(d: Dispute, actor: Principal | None, action: str, **detail) -> None:
    d.history.append(Step(at=now(), action=action, by=actor.user_id if actor else None,
                          by_name=actor.name if actor else None,
                          detail={k: (v.isoformat() if isinstance(v, date) else v) for k, v in detail.items()}))
    d.updated_at = now()
    d.updated_by = actor.user_id if actor else None


def _next_number(kind: str, year: int) -> str:
    """The next number of a year's sequence (`2026-XF-0001`), taken atomically.

    The year's counter is created by a plain insert (a duplicate means someone else made it) and then
    only ever incremented, so no two callers race on an upsert.
    """
    counters = me.get_db()["counters"]
    key = f"{kind}-{year}"
    for _ in range(5):
        row = counters.find_one_and_update({"_id": key}, {"$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER)
        if row is not None:
            return f"{year}-{kind}-{row['seq']:04d}"
        try:
            counters.insert_one({"_id": key, "seq": 0})
        except DuplicateKeyError:
            pass
    raise Conflict("could not take a case number; try again")


# ---- the clock ---------------------------------------------------------------------------------

def _recompute_due(d: Dispute) -> None:
    """Due date = base + extensions + paused working days after registration; note years without a schedule."""
    extra = sum(e.working_days for e in d.extensions) + d.paused_working_days()
    reckoning = clock.due_date(d.registered_on, working_days=d.working_days + extra)
    years = set(reckoning.unknown_years)
    for p in d.pauses:
        if p.ended_on:
            years |= clock.paused_working_days(p.started_on, p.ended_on).unknown_years
    d.due_on = reckoning.value
    d.calendar_unknown_years = sorted(years)


def _end_pause(d: Dispute, actor: Principal, today: date) -> Pause | None:
    """Close an open pause (on resume, or when the case ends while paused); the due date moves."""
    if d.status != "paused":
        return None
    pause = d.pauses[-1]
    pause.ended_on = today
    pause.ended_by = actor.user_id
    pause.working_days = clock.paused_working_days(pause.started_on, today).value
    d.status, d.resume_status = d.resume_status or "registered", None
    _recompute_due(d)
    return pause


# ---- the register copy (from households events) ------------------------------------------------

def _ms(at: datetime) -> datetime:
    """MongoDB keeps milliseconds: compare event times at that precision so a redelivery is seen as one."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _address_text(address: dict | None) -> str:
    a = address or {}
    return "".join(x for x in (a.get("building"), a.get("unit"), a.get("room")) if x)


def _index_household(h: RegisterHousehold) -> None:
    h.address_text = _address_text(h.address)
    h.search_text = " ".join([h.address_text] + [r.name for r in h.residents]).lower()


def _apply_household(household_id: str, at: datetime, mutate, *, create: bool = False) -> None:
    h = RegisterHousehold.objects(pk=household_id).first()
    if h is None:
        if not create:
            raise NotYet(f"household {household_id} is not known yet")  # its registration comes first
        h = RegisterHousehold(id=household_id, as_of=at)
    elif h.as_of and h.as_of >= at:
        return  # this event (or a newer one) is already applied
    mutate(h)
    h.as_of = at
    _index_household(h)
    h.save()


def apply_register_event(event) -> None:
    """Keep the copy of grids and households current from a households event (idempotent, order-safe)."""
    data, at = event.data, _ms(event.occurred_at)
    kind = event.type
    if kind == "grid.created":
        g = RegisterGrid.objects(pk=data["grid_id"]).first()
        if g is None or not g.as_of or g.as_of < at:
            RegisterGrid(id=data["grid_id"], community_id=data["community_id"], name=data["name"], as_of=at).save()
    elif kind in ("household.registered", "household.updated"):
        def snapshot(h):
            h.community_id, h.grid_id = event.community_id, event.grid_id
            h.address, h.residency, h.status = data["address"], data["residency"], "active"
            h.residents = [RegisterResident(resident_id=r["resident_id"], name=r["name"], relation=r.get("relation"),
                                            care_tags=list(r.get("care_tags") or [])) for r in data["residents"]]
        _apply_household(data["household_id"], at, snapshot, create=True)
    elif kind == "household.moved":
        def moved(h):
            h.grid_id, h.community_id, h.address = data["to_grid_id"], data["to_community_id"], data["address"]
        _apply_household(data["household_id"], at, moved)
    elif kind == "household.left":
        _apply_household(data["household_id"], at, lambda h: setattr(h, "status", "left"))
    elif kind in ("resident.care_flagged", "resident.care_cleared"):
        def care(h):
            for r in h.residents:
                if r.resident_id == data["resident_id"]:
                    tags = set(r.care_tags) - {data["tag"]}
                    if kind == "resident.care_flagged":
                        tags.add(data["tag"])
                    r.care_tags = sorted(tags)
        _apply_household(data["household_id"], at, care)
    elif kind == "grid.redrawn":
        target = RegisterGrid.objects(pk=data["to_grid_id"]).first()
        community = event.community_id or (target.community_id if target else None)
        for hid in data["household_ids"]:
            def redrawn(h):
                h.grid_id = data["to_grid_id"]
                h.community_id = community or h.community_id
            _apply_household(hid, at, redrawn)


def follow_household(event) -> int:
    """Bring parties of open cases up to date with a household's move or edit; returns cases changed."""
    data = event.data
    if event.type == "grid.redrawn":
        ids = list(data["household_ids"])
        place = {"grid_id": data["to_grid_id"], "community_id": event.community_id}
    else:
        ids = [data["household_id"]]
        place = ({"grid_id": data["to_grid_id"], "community_id": data["to_community_id"]}
                 if event.type == "household.moved" else {})
    changed = 0
    for d in Dispute.objects(parties__household_id__in=ids, status__in=OPEN):
        if any(s.detail.get("event_id") == event.id for s in d.history):
            continue  # already applied
        touched = []
        for p in d.parties:
            if p.household_id not in ids:
                continue
            before = {"grid_id": p.grid_id, "community_id": p.community_id}
            was = (p.grid_id, p.community_id, p.address, p.vulnerable)
            if place:
                p.grid_id = place["grid_id"]
                p.community_id = place["community_id"] or p.community_id
            if data.get("address"):
                p.address = _address_text(data["address"])
            if event.type == "household.updated":
                care = {t for r in data["residents"] if not p.resident_id or r["resident_id"] == p.resident_id
                        for t in r.get("care_tags") or []}
                p.vulnerable = p.vulnerable or bool(care)
            if (p.grid_id, p.community_id, p.address, p.vulnerable) == was:
                continue
            touched.append({"party_id": p.party_id, "household_id": p.household_id, "from": before,
                            "to": {"grid_id": p.grid_id, "community_id": p.community_id}})
        if touched:
            _step(d, None, "party_moved" if place else "party_updated", event_id=event.id, event_type=event.type,
                  parties=touched)
            commit(d)  # a concurrent change raises: the consumer retries, and the event id keeps it once
            changed += 1
    return changed


def search_register(*, actor: Principal, grid_id: str | None = None, community_id: str | None = None,
                    q: str | None = None, limit: int = 20) -> list[RegisterHousehold]:
    """Households of the register in the caller's area, to pick parties from."""
    _require(actor, "disputes.register")
    where = me.Q(status="active") & scope_query(actor, personal=False)
    if grid_id:
        where &= me.Q(grid_id=grid_id)
    if community_id:
        where &= me.Q(community_id=community_id)
    query = RegisterHousehold.objects(where)
    if q:
        query = query.filter(__raw__={"search_text": text_match(q.lower())})
    return list(query.order_by("grid_id", "address_text").limit(limit))


# ---- mediators ---------------------------------------------------------------------------------

def enrol_self(*, actor: Principal) -> Mediator:
    """A mediator puts themselves on the roster with the communities their signed identity carries."""
    if actor.role != "mediator":
        raise Forbidden("only a mediator enrols as one")
    if not actor.community_ids:
        raise Invalid("your account covers no community", field="community_ids")
    m = Mediator(id=actor.user_id, name=actor.name or actor.user_id, community_ids=sorted(actor.community_ids),
                 active=True, updated_at=now(), updated_by=actor.user_id)
    m.save()
    return m


def put_mediator(*, actor: Principal, user_id: str, name: str, community_ids: list[str], active: bool = True) -> Mediator:
    """Staff put a mediator on their communities' roster (other communities' entries are left alone)."""
    _require(actor, "mediators.manage")
    outside = [c for c in community_ids if not actor.covers(community_id=c, grid_id=None)]
    if outside:
        raise NotFound(f"community {outside[0]} not found", field="community_ids")
    m = Mediator.objects(pk=user_id).first() or Mediator(id=user_id)
    mine = {c for c in m.community_ids if actor.covers(community_id=c, grid_id=None)}
    m.community_ids = sorted((set(m.community_ids) - mine) | set(community_ids))
    m.name, m.active, m.updated_at, m.updated_by = name, active, now(), actor.user_id
    m.save()
    return m


def list_mediators(*, actor: Principal, community_id: str) -> list[Mediator]:
    """Active mediators of a community in the caller's scope."""
    _require(actor, "disputes.read")
    if not actor.covers(community_id=community_id, grid_id=None) and not (
            actor.grid_ids and RegisterGrid.objects(pk__in=list(actor.grid_ids), community_id=community_id).first()):
        raise NotFound("community not found", field="community_id")
    return list(Mediator.objects(community_ids=community_id, active=True).order_by("name"))


# ---- intake ------------------------------------------------------------------------------------

def _party(actor: Principal, row: dict) -> Party:
    if row["kind"] == "person":
        return Party(party_id=uuid.uuid4().hex[:10], role=row["role"], kind="person", name=row["name"],
                     address=row.get("address"), phone=row.get("phone"), organisation=row.get("organisation", False),
                     vulnerable=row.get("vulnerable", False))
    h = RegisterHousehold.objects(pk=row["household_id"]).first()
    if h is None or not actor.covers(community_id=h.community_id, grid_id=h.grid_id):
        raise Invalid(f"household {row['household_id']} is not in the register of your area", field="parties")
    residents = {r.resident_id: r for r in h.residents}
    if row.get("resident_id"):
        if row["resident_id"] not in residents:
            raise Invalid(f"resident {row['resident_id']} is not in household {h.pk}", field="parties")
        person = residents[row["resident_id"]]
        care = bool(person.care_tags)
    else:
        person = next((r for r in h.residents if r.relation == "head"), h.residents[0] if h.residents else None)
        care = h.care
    return Party(party_id=uuid.uuid4().hex[:10], role=row["role"], kind="household", household_id=h.pk,
                 resident_id=row.get("resident_id"), name=row.get("name") or (person.name if person else h.address_text),
                 community_id=h.community_id, grid_id=h.grid_id, address=h.address_text,
                 vulnerable=row.get("vulnerable", False) or care)


def _place(actor: Principal, grid_id, community_id, parties) -> tuple[str, str | None]:
    if not grid_id and not community_id:
        first = next((p for p in parties if p.kind == "household"), None)
        if first is None:
            raise Invalid("give grid_id or community_id (or a party from the register)", field="grid_id")
        grid_id = first.grid_id
    if grid_id:
        grid = RegisterGrid.objects(pk=grid_id).first()
        if grid is None:
            raise Invalid(f"grid {grid_id} is not in the register", field="grid_id")
        if community_id and community_id != grid.community_id:
            raise Invalid(f"grid {grid_id} is not in community {community_id}", field="community_id")
        community_id = grid.community_id
    elif not RegisterGrid.objects(community_id=community_id).first():
        raise Invalid(f"community {community_id} is not in the register", field="community_id")
    if not actor.covers(community_id=community_id, grid_id=grid_id):
        raise NotFound("community not found", field="community_id")
    return community_id, grid_id


def major_reasons(*, households_involved: int, violence_risk: bool, parties, threshold: int) -> list[str]:
    """Why a case is major (重大): many households, risk of violence, vulnerable parties."""
    reasons = []
    if households_involved >= threshold:
        reasons.append("many_households")
    if violence_risk:
        reasons.append("violence_risk")
    if any(p.vulnerable for p in parties):
        reasons.append("vulnerable_party")
    return reasons


def involved_households(parties, stated: int | None) -> int:
    """Households involved: the stated figure, or at least the distinct households among the parties."""
    counted = len({p.household_id for p in parties if p.household_id}) + sum(
        1 for p in parties if p.kind == "person" and not p.organisation)
    return max(stated or 0, counted)


def _escalate(d: Dispute, actor: Principal, reasons: list[str], note: str | None, automatic: bool):
    d.major = True
    d.escalation = Escalation(reasons=reasons, levels=["community", "street"], note=note,
                              households_involved=d.households_involved, automatic=automatic,
                              by=actor.user_id, by_name=actor.name, at=now())
    _step(d, actor, "escalated", reasons=reasons, automatic=automatic)
    return events.escalated(d, actor.user_id)


def register_dispute(*, actor: Principal, data: dict, rules: Rules) -> Dispute:
    """Register a dispute; the caller becomes its first-contact owner for good."""
    _require(actor, "disputes.register")
    today = clock.today()
    received_on = data.get("received_on") or today
    if received_on > today:
        raise Invalid("must not be in the future", field="received_on")
    if (today - received_on).days > rules.max_backdate_days:
        raise Invalid(f"must be within {rules.max_backdate_days} days", field="received_on")
    parties = [_party(actor, row) for row in data["parties"]]
    community_id, grid_id = _place(actor, data.get("grid_id"), data.get("community_id"), parties)
    involved = involved_households(parties, data.get("households_involved"))
    reasons = major_reasons(households_involved=involved, violence_risk=data.get("violence_risk", False),
                            parties=parties, threshold=rules.major_households)
    d = Dispute(year=received_on.year, month=received_on.strftime("%Y-%m"), community_id=community_id,
                grid_id=grid_id, category=data["category"], description=data["description"],
                urgency=data["urgency"], channel=data["channel"], referred_from=data.get("referred_from"),
                violence_risk=data.get("violence_risk", False), households_involved=involved, parties=parties,
                first_contact=Person(user_id=actor.user_id, name=actor.name, role=actor.role),
                owner_id=actor.user_id, status="registered", registered_on=received_on,
                working_days=rules.due_working_days, due_on=received_on, notice_given_at=now())
    _recompute_due(d)
    d.number = "pending"
    d.validate()  # every check before a number is taken, so bad input leaves no gap
    d.number = _next_number("XF", received_on.year)
    d.major = bool(reasons)
    _step(d, actor, "registered", channel=d.channel, due_on=d.due_on)
    raised = [events.registered(d, actor.user_id)]
    if reasons:
        raised.append(_escalate(d, actor, reasons, "登记时自动识别为重大案件", automatic=True))
    return commit(d, *raised)


def receipt(d: Dispute) -> dict:
    """The applicant's receipt: case number, dates, who received it, and the one-time notice (一次告知)."""
    state = d.clock_state()
    applicants = [p.name for p in d.parties if p.role == "applicant"]
    return {"number": d.number, "registered_on": d.registered_on, "due_on": d.due_on,
            "working_days": d.working_days, "category": d.category,
            "category_label": notices.CATEGORY_LABELS[d.category], "applicants": applicants,
            "received_by": d.first_contact.name or d.first_contact.user_id,
            "notice": notices.notice(d.category, due=d.due_on, days=d.working_days),
            "calendar_warning": state["calendar_warning"]}


def list_notices(*, actor: Principal, rules: Rules) -> list[dict]:
    """The one-time notice of each category, dated as for a case registered today (for the intake form)."""
    _require(actor, "disputes.register")
    due = clock.due_date(clock.today(), working_days=rules.due_working_days).value
    return [notices.notice(c, due=due, days=rules.due_working_days) for c in notices.CATEGORY_LABELS]


def get_dispute(*, actor: Principal, dispute_id: str) -> Dispute:
    """One case, parties' phones masked."""
    return _dispute(actor, dispute_id)


def get_receipt(*, actor: Principal, dispute_id: str) -> dict:
    """The receipt again (for reprinting)."""
    return receipt(_dispute(actor, dispute_id))


def receipt_pdf(*, actor: Principal, dispute_id: str) -> tuple[str, bytes]:
    """The receipt with the one-time notice as a PDF to print: (file name, bytes)."""
    d = _dispute(actor, dispute_id)
    return f"{d.number}-回执.pdf", documents.receipt(d, receipt(d))


def agreement_pdf(*, actor: Principal, dispute_id: str) -> tuple[str, bytes]:
    """The 调解协议书 of a case settled by agreement, for signing: (file name, bytes)."""
    d = _dispute(actor, dispute_id)
    if not d.outcome or d.outcome.kind != "agreement":
        raise Conflict("the case has no agreement")
    return f"{d.number}-调解协议书.pdf", documents.agreement(d)


def special_report_pdf(*, actor: Principal, dispute_id: str) -> tuple[str, bytes]:
    """The 个案专报 of an escalated case: (file name, bytes)."""
    d = _dispute(actor, dispute_id)
    if not d.major or not d.escalation:
        raise Conflict("the case has not been escalated")
    return f"{d.number}-个案专报.pdf", documents.special_report(d)


def update_dispute(*, actor: Principal, dispute_id: str, data: dict, rules: Rules) -> Dispute:
    """Correct the description, category, urgency or risk of an open case; the version must be the one read."""
    d = _dispute(actor, dispute_id)
    if actor.user_id != d.owner_id:
        d = _handled(actor, dispute_id)
    _changeable(d, ("registered", "assigned", "paused", "referred"), "edited")
    if data.pop("version") != d.version:
        raise Conflict("changed by someone else; reload and try again", field="version")
    changed = {k: v for k, v in data.items() if v is not None and getattr(d, k) != v}
    for key, value in changed.items():
        setattr(d, key, value)
    d.households_involved = involved_households(d.parties, d.households_involved)
    _step(d, actor, "updated", fields=sorted(changed))
    raised = []
    reasons = major_reasons(households_involved=d.households_involved, violence_risk=d.violence_risk,
                            parties=d.parties, threshold=rules.major_households)
    if reasons and not d.major:
        raised.append(_escalate(d, actor, reasons, "案情更新后识别为重大案件", automatic=True))
    return commit(d, *raised)


def list_disputes(*, actor: Principal, community_id=None, grid_id=None, status="open", category=None, mine=None,
                  overdue=None, escalated=None, q=None, sort="due", page=1, page_size=50) -> dict:
    """A page of cases in the caller's view: overdue and escalated first when sorted by attention."""
    _require(actor, "disputes.read")
    where = scope_query(actor)
    if community_id:
        where &= me.Q(community_id=community_id)
    if grid_id:
        where &= me.Q(grid_id=grid_id)
    if status == "open":
        where &= me.Q(status__in=list(OPEN))
    elif status != "all":
        where &= me.Q(status=status)
    if category:
        where &= me.Q(category=category)
    if mine == "first_contact":
        where &= me.Q(owner_id=actor.user_id)
    elif mine == "mediator":
        where &= me.Q(mediator_id=actor.user_id)
    today = clock.today()
    if overdue is not None:
        late = me.Q(status__in=list(CLOCK_RUNNING), due_on__lt=today)
        where &= late if overdue else (me.Q(status__nin=list(CLOCK_RUNNING)) | me.Q(due_on__gte=today))
    if escalated is not None:
        where &= me.Q(major=escalated)
    query = Dispute.objects(where).exclude("history", "outbox", "annotations", "sessions")
    if q:
        query = query.filter(__raw__={"$or": [{"number": text_match(q, prefix=True)},
                                              {"description": text_match(q)}]})
    total = query.count()
    if sort == "attention":
        rows = list(query.limit(5000))
        rows.sort(key=lambda d: (not (d.status in CLOCK_RUNNING and today > d.due_on), not d.major, d.due_on))
        items = rows[(page - 1) * page_size: page * page_size]
    else:
        order = {"due": ("due_on", "number"), "newest": ("-created_at",)}[sort]
        items = list(query.order_by(*order).skip((page - 1) * page_size).limit(page_size))
    return {"items": items, "total": total, "page": page, "page_size": page_size}


# ---- handling ----------------------------------------------------------------------------------

def assign_mediator(*, actor: Principal, dispute_id: str, mediator_id: str, reason: str | None = None) -> Dispute:
    """Assign (or reassign) the case to a mediator of its community; the history keeps every assignment."""
    d = _managed(actor, dispute_id, "disputes.assign")
    _changeable(d, ("registered", "assigned", "paused", "referred"), "assigned")
    m = Mediator.objects(pk=mediator_id, active=True).first()
    if m is None or d.community_id not in m.community_ids:
        raise Invalid(f"{mediator_id} is not a mediator of community {d.community_id}", field="mediator_id")
    if d.mediator_id == m.pk:
        raise Conflict("the case is already assigned to this mediator", field="mediator_id")
    if d.mediator_id and not reason:
        raise Invalid("say why the case is reassigned", field="reason")
    previous = d.mediator_id
    d.assignments.append(Assignment(mediator_id=m.pk, mediator_name=m.name, at=now(), by=actor.user_id,
                                    by_name=actor.name, reason=reason))
    d.mediator_id, d.mediator_name = m.pk, m.name
    if d.status == "registered":
        d.status = "assigned"
    elif d.status == "paused" and d.resume_status == "registered":
        d.resume_status = "assigned"
    elif d.status == "referred" and d.referrals[-1].resume_status == "registered":
        d.referrals[-1].resume_status = "assigned"
    _step(d, actor, "reassigned" if previous else "assigned", mediator_id=m.pk, mediator_name=m.name,
          previous_mediator_id=previous, reason=reason)
    return commit(d, events.assigned(d, actor.user_id, previous_mediator_id=previous, reason=reason))


def pause_clock(*, actor: Principal, dispute_id: str, reason: str) -> Dispute:
    """Stop the clock (e.g. waiting for a party); the reason is shown on the case."""
    d = _handled(actor, dispute_id)
    _changeable(d, CLOCK_RUNNING, "paused")
    pause = Pause(started_on=clock.today(), reason=reason, by=actor.user_id)
    d.pauses.append(pause)
    d.status, d.resume_status = "paused", d.status
    _step(d, actor, "paused", reason=reason)
    return commit(d, events.paused(d, actor.user_id, pause))


def resume_clock(*, actor: Principal, dispute_id: str) -> Dispute:
    """Start the clock again; the due date moves by the working days paused."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("paused",), "resumed")
    pause = _end_pause(d, actor, clock.today())
    _step(d, actor, "resumed", paused_working_days=pause.working_days, due_on=d.due_on)
    return commit(d, events.resumed(d, actor.user_id, pause))


def extend_deadline(*, actor: Principal, dispute_id: str, working_days: int, reason: str) -> Dispute:
    """Give the case more working days; the reason is shown on the case."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("registered", "assigned", "paused"), "extended")
    before = d.due_on
    extension = Extension(working_days=working_days, reason=reason, by=actor.user_id, at=now(), due_before=before)
    d.extensions.append(extension)
    _recompute_due(d)
    extension.due_after = d.due_on
    _step(d, actor, "extended", working_days=working_days, reason=reason, due_on=d.due_on)
    return commit(d, events.extended(d, actor.user_id, extension))


def record_session(*, actor: Principal, dispute_id: str, data: dict) -> Dispute:
    """Record a mediation session with attendance and notes."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("assigned",), "mediated (resume the clock or assign a mediator first)")
    held_on = data.get("held_on") or clock.today()
    if held_on > clock.today() or held_on < d.registered_on:
        raise Invalid("must be between registration and today", field="held_on")
    known = {p.party_id for p in d.parties}
    unknown = [a["party_id"] for a in data["attendance"] if a["party_id"] not in known]
    if unknown:
        raise Invalid(f"not a party of this case: {', '.join(unknown)}", field="attendance")
    session = Session(session_id=uuid.uuid4().hex[:10], held_on=held_on, place=data.get("place"),
                      attendance=[Attendance(**a) for a in data["attendance"]],
                      others_present=data.get("others_present", []), notes=data.get("notes", ""),
                      by=actor.user_id, by_name=actor.name, at=now())
    d.sessions.append(session)
    _step(d, actor, "session_held", session_id=session.session_id, held_on=held_on)
    return commit(d, events.session_held(d, actor.user_id, session))


def record_outcome(*, actor: Principal, dispute_id: str, kind: str, terms=(), summary=None, decided_on=None) -> Dispute:
    """Record the result: agreement (with terms, for the 调解协议书), no agreement, or withdrawn."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("registered", "assigned", "paused"), "given an outcome")
    today = clock.today()
    decided_on = decided_on or today
    if decided_on > today or decided_on < d.registered_on:
        raise Invalid("must be between registration and today", field="decided_on")
    if kind in ("agreement", "no_agreement"):
        if not d.mediator_id:
            raise Conflict("assign a mediator first", field="kind")
        if not d.sessions:
            raise Conflict("record the mediation session first", field="kind")
    if kind == "agreement" and len(d.parties) < 2:
        raise Conflict("an agreement needs at least two parties", field="kind")
    _end_pause(d, actor, today)
    d.outcome = Outcome(kind=kind, terms=list(terms), summary=summary, decided_on=decided_on, by=actor.user_id,
                        at=now())
    d.status = "resolved"
    _step(d, actor, "resolved", outcome=kind)
    return commit(d, events.resolved(d, actor.user_id))


def refer(*, actor: Principal, dispute_id: str, kind: str, to_body: str, reason: str | None = None) -> Dispute:
    """Refer the case to administrative or judicial mediation, or an agreement for judicial confirmation."""
    d = _handled(actor, dispute_id)
    if kind == "judicial_confirmation":
        _changeable(d, ("resolved",), "sent for judicial confirmation")
        if d.outcome.kind != "agreement":
            raise Conflict("only an agreement can be judicially confirmed", field="kind")
        if d.judicial_confirmation:
            raise Conflict("the agreement has already been through judicial confirmation", field="kind")
    else:
        _changeable(d, ("registered", "assigned", "paused"), "referred")
    today = clock.today()
    _end_pause(d, actor, today)
    referral = Referral(referral_id=uuid.uuid4().hex[:10], kind=kind, to_body=to_body, reason=reason,
                        referred_on=today, by=actor.user_id, resume_status=d.status)
    d.referrals.append(referral)
    d.status = "referred"
    _step(d, actor, "referred", kind=kind, to_body=to_body, reason=reason)
    return commit(d, events.referred(d, actor.user_id, referral))


def record_referral_return(*, actor: Principal, dispute_id: str, referral_id: str, result: str, note=None,
                           returned_on=None) -> Dispute:
    """Record what came back from the body the case was referred to."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("referred",), "given a referral result")
    referral = next((r for r in d.referrals if r.referral_id == referral_id), None)
    if referral is None:
        raise NotFound(f"referral {referral_id} not found")
    if referral.result:
        raise Conflict("this referral's result is already recorded")
    if result not in REFERRAL_RESULTS[referral.kind]:
        raise Invalid(f"a {referral.kind} referral comes back as one of {', '.join(REFERRAL_RESULTS[referral.kind])}",
                      field="result")
    today = clock.today()
    returned_on = returned_on or today
    if returned_on > today or returned_on < referral.referred_on:
        raise Invalid("must be between the referral and today", field="returned_on")
    referral.result, referral.note, referral.returned_on, referral.returned_by = result, note, returned_on, actor.user_id
    raised = []
    d.status = "resolved"
    if referral.kind == "judicial_confirmation":
        d.judicial_confirmation = result
        raised.append(events.referral_returned(d, actor.user_id, referral))
    else:
        d.outcome = Outcome(kind="referred", referral_result=result, summary=note, decided_on=returned_on,
                            by=actor.user_id, at=now())
        raised += [events.referral_returned(d, actor.user_id, referral), events.resolved(d, actor.user_id)]
    _step(d, actor, "referral_returned", kind=referral.kind, result=result)
    return commit(d, *raised)


def escalate(*, actor: Principal, dispute_id: str, reasons: list[str], note: str | None = None,
             households_involved: int | None = None) -> Dispute:
    """Report a major case specially (个案专报) to the community and street."""
    d = _dispute(actor, dispute_id, "disputes.escalate")
    _changeable(d, OPEN, "escalated")
    if d.major:
        raise Conflict("the case has already been escalated")
    if households_involved:
        d.households_involved = max(d.households_involved or 0, households_involved)
    return commit(d, _escalate(d, actor, reasons, note, automatic=False))


def close_dispute(*, actor: Principal, dispute_id: str, rules: Rules, note: str | None = None) -> tuple[Dispute, str]:
    """Close a resolved case and open the applicant's satisfaction survey; returns (case, link token)."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("resolved",), "closed (record the outcome first)")
    today = clock.today()
    token = secrets.token_urlsafe(32)
    d.status, d.closed_on, d.closed_by, d.close_note = "closed", today, actor.user_id, note
    d.survey = Survey(open_until=today + timedelta(days=rules.survey_open_days), issued_at=now())
    d.survey_token_hash = _token_hash(token)
    _step(d, actor, "closed", note=note)
    return commit(d, events.closed(d, actor.user_id)), token


def renew_survey_link(*, actor: Principal, dispute_id: str, rules: Rules) -> tuple[Dispute, str]:
    """A new satisfaction link (the old one stops working), while the survey is unanswered."""
    d = _handled(actor, dispute_id)
    _changeable(d, ("closed",), "given a new survey link")
    if d.survey.answered_at:
        raise Conflict("the applicant has already answered")
    token = secrets.token_urlsafe(32)
    d.survey.open_until = clock.today() + timedelta(days=rules.survey_open_days)
    d.survey.issued_at = now()
    d.survey_token_hash = _token_hash(token)
    _step(d, actor, "survey_link_renewed")
    return commit(d), token


def archive(*, actor: Principal, dispute_id: str) -> Dispute:
    """Archive a closed case under a year-based archive number; from then on it only takes annotations."""
    d = _managed(actor, dispute_id, "disputes.archive")
    _changeable(d, ("closed",), "archived (close it first)")
    today = clock.today()
    d.archive_number = _next_number("GD", today.year)
    d.status, d.archived_on, d.archived_by = "archived", today, actor.user_id
    _step(d, actor, "archived", archive_number=d.archive_number,
          survey="answered" if d.survey and d.survey.answered_at else "unanswered")
    return commit(d, events.archived(d, actor.user_id))


def annotate(*, actor: Principal, dispute_id: str, text: str) -> Dispute:
    """Add a note to a case, archived ones included; notes are never edited or removed."""
    for _ in range(5):
        d = _dispute(actor, dispute_id, "disputes.annotate")
        d.annotations.append(Annotation(at=now(), by=actor.user_id, by_name=actor.name, text=text))
        try:
            return commit(d)
        except ConcurrentChange:  # someone else wrote meanwhile: appending again is safe
            continue
    raise Conflict("the case is busy; try again")


def reveal_parties(*, actor: Principal, dispute_id: str, reason: str) -> Dispute:
    """The case with parties' phone numbers in full; the look is recorded."""
    d = _dispute(actor, dispute_id, "disputes.reveal")
    RevealRecord(dispute_id=str(d.pk), user_id=actor.user_id, role=actor.role, reason=reason).save()
    return d


# ---- satisfaction (public, through the link) ---------------------------------------------------

def _survey_case(actor: Principal, token: str) -> Dispute:
    _require(actor, "survey.answer")
    d = Dispute.objects(survey_token_hash=_token_hash(token)).first() if token else None
    if d is None:
        raise NotFound("no such survey")
    return d


def survey_view(d: Dispute) -> dict:
    open_ = d.status == "closed" and not d.survey.answered_at and clock.today() <= d.survey.open_until
    return {"number": d.number, "category_label": notices.CATEGORY_LABELS[d.category],
            "outcome_label": notices.OUTCOME_LABELS.get(d.outcome.kind) if d.outcome else None,
            "closed_on": d.closed_on, "open_until": d.survey.open_until, "answered": bool(d.survey.answered_at),
            "open": open_}


def get_survey(*, actor: Principal, token: str) -> dict:
    """What the public survey page shows: the case number and result, nothing personal."""
    return survey_view(_survey_case(actor, token))


def answer_survey(*, actor: Principal, token: str, rating: int, comment: str | None = None) -> dict:
    """The applicant's rating (1–5) and comment, accepted once."""
    d = _survey_case(actor, token)
    if d.survey.answered_at:
        raise Conflict("this survey has already been answered")
    if d.status != "closed" or clock.today() > d.survey.open_until:
        raise Conflict("this survey has closed")
    d.survey.rating, d.survey.comment, d.survey.answered_at = rating, comment, now()
    _step(d, None, "satisfaction_recorded", rating=rating)
    commit(d, events.satisfaction_recorded(d))  # a second answer racing this one fails on the version: 409
    return survey_view(d)


# ---- deadlines (the worker's periodic job) -----------------------------------------------------

def check_deadlines(*, rules: Rules, today: date | None = None) -> dict:
    """Raise dispute.deadline_warning and dispute.overdue, each once per case; refresh guessed due dates."""
    today = today or clock.today()
    counts = {"warned": 0, "overdue": 0, "recomputed": 0}
    for d in Dispute.objects(status__in=list(CLOCK_RUNNING) + ["paused"]).filter(
            __raw__={"calendar_unknown_years.0": {"$exists": True}}):
        before = d.due_on
        _recompute_due(d)
        if d.due_on != before or not d.calendar_unknown_years:
            _step(d, None, "due_recomputed", due_before=before, due_on=d.due_on)
            try:
                commit(d)
                counts["recomputed"] += 1
            except ConcurrentChange:
                pass
    horizon = clock.add_working_days(today, rules.warn_working_days).value
    pending = (me.Q(overdue_at=None, due_on__lt=today) | me.Q(warned_at=None, due_on__lte=horizon))
    for d in Dispute.objects(me.Q(status__in=list(CLOCK_RUNNING)) & pending):
        raised = None
        if today > d.due_on and not d.overdue_at:
            d.overdue_at = now()
            since = d.due_on + timedelta(days=1)
            _step(d, None, "overdue", due_on=d.due_on)
            raised, key = events.overdue(d, since=since), "overdue"
        elif today <= d.due_on and not d.warned_at and not d.overdue_at:
            left = clock.working_days_between(today, d.due_on).value
            if left > rules.warn_working_days:
                continue
            d.warned_at = now()
            _step(d, None, "deadline_warning", working_days_left=left, due_on=d.due_on)
            raised, key = events.deadline_warning(d, working_days_left=left), "warned"
        if raised is None:
            continue
        try:
            commit(d, raised)
            counts[key] += 1
        except ConcurrentChange:  # changed meanwhile (or another worker got there): the next run looks again
            pass
    return counts


# ---- notifications (from this service's own events) ---------------------------------------------

def _label(mapping: dict, key) -> str:
    return mapping.get(key, key or "")


def message(event) -> str:
    """The Chinese line a user's feed shows for a dispute event."""
    d = event.data
    n, due = d["number"], d.get("due_on")
    texts = {
        "dispute.registered": f"纠纷 {n} 已登记受理，办结期限 {due}",
        "dispute.assigned": f"纠纷 {n} 已{'改派' if d.get('previous_mediator_id') else '指派'}调解员",
        "dispute.paused": f"纠纷 {n} 暂停计时：{d.get('reason')}",
        "dispute.resumed": f"纠纷 {n} 恢复计时，暂停 {d.get('paused_working_days')} 个工作日，新的办结期限 {due}",
        "dispute.extended": f"纠纷 {n} 延期 {d.get('working_days')} 个工作日：{d.get('reason')}；新的办结期限 {due}",
        "dispute.deadline_warning": f"纠纷 {n} 还剩 {d.get('working_days_left')} 个工作日到期（{due}）",
        "dispute.overdue": f"纠纷 {n} 已超过办结期限（{due}）",
        "dispute.escalated": f"纠纷 {n} 列为重大案件，已向社区、街道专报",
        "dispute.session_held": f"纠纷 {n} 已开展调解（{d.get('held_on')}）",
        "dispute.resolved": f"纠纷 {n} 调解结果：{_label(notices.OUTCOME_LABELS, d.get('outcome'))}",
        "dispute.referred": f"纠纷 {n} 已移交{_label(notices.REFERRAL_LABELS, d.get('kind'))}：{d.get('to_body')}",
        "dispute.referral_returned": f"纠纷 {n} {_label(notices.REFERRAL_LABELS, d.get('kind'))}结果已反馈",
        "dispute.closed": f"纠纷 {n} 已结案，已请申请人评价满意度",
        "dispute.archived": f"纠纷 {n} 已归档，档案号 {d.get('archive_number')}",
        "satisfaction.recorded": f"纠纷 {n} 收到满意度评价：{d.get('rating')} 分",
    }
    return texts.get(event.type, f"纠纷 {n}：{event.type}")


def recipients(event) -> dict[str, str]:
    """Who hears of a step: the first-contact owner always, the mediator(s) concerned; never the one who did it."""
    d = event.data
    out = {d["first_contact_id"]: "first_contact"}
    if d.get("mediator_id"):
        out.setdefault(d["mediator_id"], "mediator")
    if d.get("previous_mediator_id"):
        out.setdefault(d["previous_mediator_id"], "previous_mediator")
    out.pop(d.get("actor_id"), None)
    return out


def notify(event) -> int:
    """Put a dispute event in the feeds of those who must hear of it (once per user and event)."""
    added = 0
    for user_id, why in recipients(event).items():
        try:
            Notification(user_id=user_id, event_id=event.id, event_type=event.type, dispute_id=event.data["dispute_id"],
                         number=event.data["number"], community_id=event.data.get("community_id"),
                         message=message(event), why=why, at=event.occurred_at).save(force_insert=True)
            added += 1
        except me.NotUniqueError:
            pass
    return added


def list_notifications(*, actor: Principal, unread_only: bool = False, limit: int = 50) -> dict:
    """The caller's feed, newest first, with the unread count."""
    _require(actor, "notifications.read")
    query = Notification.objects(user_id=actor.user_id)
    unread = query.filter(read_at=None).count()
    if unread_only:
        query = query.filter(read_at=None)
    return {"items": list(query.order_by("-at").limit(limit)), "unread": unread}


def mark_read(*, actor: Principal, notification_id: str | None = None) -> int:
    """Mark one notification (or, without an id, all) of the caller's as read; returns how many changed."""
    _require(actor, "notifications.read")
    query = Notification.objects(user_id=actor.user_id, read_at=None)
    if notification_id:
        try:
            oid = ObjectId(notification_id)
        except (InvalidId, TypeError):
            raise NotFound("notification not found") from None
        if not Notification.objects(pk=oid, user_id=actor.user_id).first():
            raise NotFound("notification not found")
        query = query.filter(pk=oid)
    return query.update(set__read_at=now())


# ---- hot spots ---------------------------------------------------------------------------------

def hotspots(*, actor: Principal, year: int | None = None, community_id=None, grid_id=None,
             month_from=None, month_to=None) -> dict:
    """Counts by category, grid and month, outcomes and satisfaction vs the 90% target, in the caller's area."""
    _require(actor, "reports.read")
    year = year or clock.today().year
    where = scope_query(actor, personal=False) & me.Q(year=year)
    if community_id:
        where &= me.Q(community_id=community_id)
    if grid_id:
        where &= me.Q(grid_id=grid_id)
    if month_from:
        where &= me.Q(month__gte=month_from)
    if month_to:
        where &= me.Q(month__lte=month_to)
    query = Dispute.objects(where)
    rows = [{"category": r["_id"]["category"], "grid_id": r["_id"].get("grid_id"), "month": r["_id"]["month"],
             "count": r["count"]}
            for r in query.aggregate([{"$group": {"_id": {"category": "$category", "grid_id": "$grid_id",
                                                          "month": "$month"}, "count": {"$sum": 1}}}])]
    rows.sort(key=lambda r: (r["month"], r["grid_id"] or "", r["category"]))

    def total(key):
        out: dict = {}
        for r in rows:
            out[r[key]] = out.get(r[key], 0) + r["count"]
        return sorted(({key: k, "count": v} for k, v in out.items()), key=lambda x: (-x["count"], x[key] or ""))

    names = {g.pk: g.name for g in RegisterGrid.objects(pk__in=[r["grid_id"] for r in rows if r["grid_id"]])}
    by_grid = [{**g, "grid_name": names.get(g["grid_id"])} for g in total("grid_id")]
    by_category = [{**c, "category_label": notices.CATEGORY_LABELS[c["category"]]} for c in total("category")]
    answered = query.filter(survey__rating__gte=1).count()
    satisfied = query.filter(survey__rating__gte=4).count()
    outcomes = {k: query.filter(outcome__kind=k).count() for k in notices.OUTCOME_LABELS}
    rate = satisfied / answered if answered else None
    today = clock.today()
    return {"year": year, "total": sum(r["count"] for r in rows), "rows": rows, "by_category": by_category,
            "by_grid": by_grid, "by_month": sorted(total("month"), key=lambda m: m["month"]),
            "outcomes": outcomes, "escalated": query.filter(major=True).count(),
            "overdue_now": query.filter(status__in=list(CLOCK_RUNNING), due_on__lt=today).count(),
            "satisfaction": {"answered": answered, "satisfied": satisfied, "rate": rate, "target": 0.9,
                             "meets_target": None if rate is None else rate >= 0.9}}
