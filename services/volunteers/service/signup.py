"""Public sign-up through a link, the claims it raises, and volunteers' personal links.

A sign-up is answered the same way whether or not its phone or ID number matches someone: nothing of an
existing volunteer (name, status, hours, personal link) is ever shown to whoever signs up. A match becomes
a claim with its own personal link; staff confirm it (merged into the volunteer, who then uses that link)
or reject it. Personal tokens are stored as their sha256 (shared.tokens): a database read leaks no link.
"""
import re

import mongoengine as me
from bson import ObjectId

from services.volunteers import events
from services.volunteers.config import PERSONAL_PATH, public_url
from services.volunteers.models import (
    CONSENT_VERSION,
    Consent,
    GridCopy,
    SignupClaim,
    SignupLink,
    Team,
    VolunteerRecord,
)
from services.volunteers.register_copy import community_copy
from services.volunteers.rules import TOKEN, link_state
from services.volunteers.service import access
from services.volunteers.service.links import by_token, release_and_promote, release_place, reserve_place
from services.volunteers.service.people import own_page
from shared import clock
from shared.clock import aware, now
from shared.errors import Conflict, Gone, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.permissions import COMMUNITY_ROLES
from shared.reasons import volunteers as reasons
from shared.scope import load_in_scope, not_found
from shared.tokens import new_token, token_hash

RECEIVED = "您的报名已收到，将由团队负责人核实后确认。请保存下面的个人链接，用它查看报名状态。"
HASHED = re.compile(r"^[0-9a-f]{64}$")


# ---- the public sign-up --------------------------------------------------------------------------

def _find_person(community_id: str, phone: str, id_number: str | None) -> tuple[VolunteerRecord | None, str]:
    found = VolunteerRecord.objects(phone_key=f"{community_id}|{phone}").first()
    if found is None and id_number:
        return VolunteerRecord.objects(id_key=f"{community_id}|{id_number}").first(), "id_number"
    return found, "phone"


def signup(*, token: str, data: dict) -> dict:
    """A resident signs up through a link; the answer is the same whether or not they match a volunteer."""
    link = by_token(token)
    state = link_state(link)
    if state == "expired":
        raise Gone(reasons.LINK_EXPIRED(day=clock.local(link.expires_at).date().isoformat()), field="token")
    if state == "closed":
        raise Gone(reasons.LINK_CLOSED(), field="token")
    community_id = link.community_id
    if data.get("grid_id") and not GridCopy.objects(pk=data["grid_id"], community_id=community_id).first():
        raise Invalid(reasons.NOT_A_GRID_OF_COMMUNITY(), field="grid_id")
    existing, matched_on = _find_person(community_id, data["phone"], data.get("id_number"))
    if existing is not None:
        return _claim(existing, matched_on, link, data)
    placed = reserve_place(link.pk, link.capacity)
    at, personal = now(), new_token()
    v = VolunteerRecord(community_id=community_id, grid_id=data.get("grid_id"), name=data["name"], phone=data["phone"],
                        id_number=data.get("id_number"), phone_key=f"{community_id}|{data['phone']}",
                        id_key=f"{community_id}|{data['id_number']}" if data.get("id_number") else None,
                        skills=data["skills"], availability=data["availability"],
                        team_ids=[link.team_id] if link.team_id else [], link_id=str(link.pk),
                        status="registered" if placed else "waitlisted", holds_place=placed,
                        registered_at=at if placed else None, waitlisted_at=None if placed else at,
                        personal_token_hash=token_hash(personal), consent=Consent(given_at=at, version=CONSENT_VERSION),
                        updated_by="signup")
    try:
        commit(v, *([events.volunteer_registered(v)] if placed else []))
    except me.NotUniqueError:
        if placed:
            release_place(link.pk)
        existing, matched_on = _find_person(community_id, data["phone"], data.get("id_number"))
        if existing is None:  # the other sign-up of this person is not readable yet: same answer on a retry
            raise Conflict(reasons.SIGNUP_CROSSED()) from None
        return _claim(existing, matched_on, link, data)
    return _received(link, data, personal)


def _claim(v: VolunteerRecord, matched_on: str, link: SignupLink, data: dict) -> dict:
    """Keep a sign-up that matched a volunteer as a claim for staff, taking a place as a new sign-up would.

    Every such sign-up is its own claim: folding repeats into one would leave the place count still on the
    second try, which a new phone never does, and so tell an outsider the phone was known.
    """
    personal, at = new_token(), now()
    placed = reserve_place(link.pk, link.capacity)
    SignupClaim(volunteer_id=str(v.pk), community_id=v.community_id, link_id=str(link.pk), team_id=link.team_id,
                holds_place=placed, matched_on=matched_on, name=data["name"], phone=data["phone"],
                id_number=data.get("id_number"), grid_id=data.get("grid_id"), skills=data["skills"],
                availability=data["availability"], consent=Consent(given_at=at, version=CONSENT_VERSION),
                token_hash=token_hash(personal), created_at=at, updated_at=at).save(force_insert=True)
    return _received(link, data, personal)


def _received(link: SignupLink, data: dict, personal: str) -> dict:
    """The one answer to every sign-up: what they typed, who asked, and their own link (shown this once)."""
    team = Team.objects(pk=ObjectId(link.team_id)).first() if link.team_id else None
    return {"name": data["name"], "community_name": community_copy(link.community_id).display_name,
            "team_name": team.name if team else None,
            "personal_url": public_url(PERSONAL_PATH, token=personal), "message": RECEIVED}


# ---- personal links --------------------------------------------------------------------------------

def personal_page(*, token: str) -> dict:
    """What a personal link shows: the volunteer's own page, or a claim waiting for staff (what was typed)."""
    try:
        return own_page(token=token)
    except NotFound:
        claim = SignupClaim.objects(token_hash=token_hash(token)).first() if re.match(TOKEN, token or "") else None
        if claim is None:
            raise
    return {"name": claim.name, "status": claim.status, "community_id": claim.community_id,
            "community_name": community_copy(claim.community_id).display_name, "grid_id": claim.grid_id,
            "skills": claim.skills, "availability": claim.availability, "teams": [], "waitlist_position": None,
            "hours_total": 0.0, "hours_this_year": 0.0, "entries": [], "certificates": [], "reports": []}


def issue_personal_link(*, actor: Principal, volunteer_id: str) -> dict:
    """Give a volunteer a new personal link (shown this once); the old one stops working."""
    v = access.volunteer(actor, volunteer_id, "volunteers.manage")
    access.require_leads(actor, v.team_ids, "give this volunteer a new personal link")
    personal = new_token()
    v.personal_token_hash, v.updated_at, v.updated_by = token_hash(personal), now(), actor.user_id
    try:
        commit(v)
    except ConcurrentChange:
        raise Conflict(reasons.VOLUNTEER_CHANGED()) from None
    return {"volunteer_id": str(v.pk), "personal_url": public_url(PERSONAL_PATH, token=personal)}


def hash_plain_tokens() -> int:
    """Replace personal tokens stored in plain (before hashing) by their hash; returns how many (run at start)."""
    coll = VolunteerRecord._get_collection()
    changed = 0
    for row in coll.find({}, {"personal_token": 1}):
        value = row.get("personal_token")
        if isinstance(value, str) and not HASHED.match(value):
            changed += coll.update_one({"_id": row["_id"], "personal_token": value},
                                       {"$set": {"personal_token": token_hash(value)}}).modified_count
    return changed


# ---- claims: staff confirm or reject -----------------------------------------------------------------

def _claim_view(claim: SignupClaim, v: VolunteerRecord | None) -> dict:
    team = Team.objects(pk=ObjectId(claim.team_id)).first() if claim.team_id else None
    return {"id": str(claim.pk), "status": claim.status, "matched_on": claim.matched_on, "name": claim.name,
            "phone": claim.phone, "id_number": claim.id_number, "grid_id": claim.grid_id, "skills": claim.skills,
            "availability": claim.availability, "link_id": claim.link_id, "team_id": claim.team_id,
            "team_name": team.name if team else None, "holds_place": claim.holds_place,
            "created_at": aware(claim.created_at), "decided_at": aware(claim.decided_at),
            "decided_by": claim.decided_by, "decision_note": claim.decision_note,
            "volunteer": {"id": claim.volunteer_id, "name": v.name if v else None, "status": v.status if v else None,
                          "phone": v.phone if v else None}}


def list_claims(*, actor: Principal, community_id: str, status: str = "pending") -> list[dict]:
    """Sign-ups that matched a volunteer, oldest first (a team leader sees those for the teams they lead)."""
    access.in_community(actor, community_id, "volunteers.manage")
    query = SignupClaim.objects(community_id=community_id, status=status)
    if actor.role not in COMMUNITY_ROLES:
        query = query.filter(team_id__in=access.led_team_ids(actor, community_id))
    claims = list(query.order_by("created_at").limit(500))
    people = {str(v.pk): v for v in VolunteerRecord.objects(pk__in=[ObjectId(c.volunteer_id) for c in claims])}
    return [_claim_view(c, people.get(c.volunteer_id)) for c in claims]


def _decidable(actor: Principal, claim_id: str) -> tuple[SignupClaim, VolunteerRecord]:
    claim = load_in_scope(SignupClaim, claim_id, actor=actor, what="sign-up claim", permission="volunteers.manage",
                          visible=lambda c: actor.covers(community_id=c.community_id, grid_id=None))
    v = VolunteerRecord.objects(pk=ObjectId(claim.volunteer_id)).first()
    if v is None:
        raise not_found("sign-up claim", claim_id)
    access.require_leads(actor, [claim.team_id] if claim.team_id else [], "decide on this sign-up")
    if claim.status != "pending":
        raise Conflict(reasons.CLAIM_DECIDED(status=claim.status))
    return claim, v


def _decide(claim: SignupClaim, actor: Principal, status: str, note: str | None) -> SignupClaim:
    unset = {"unset__token_hash": True} if status == "confirmed" else {}
    decided = SignupClaim.objects(pk=claim.pk, status="pending").modify(
        new=True, set__status=status, set__decided_by=actor.user_id, set__decided_at=now(), set__decision_note=note,
        **unset)
    if decided is None:
        raise Conflict(reasons.CLAIM_DECIDED(status=claim.reload().status))
    return decided


def _merge(v: VolunteerRecord, claim: SignupClaim, by: str) -> bool:
    """Apply a confirmed claim to its volunteer; True when the claim's place was used."""
    was, at, used = v.status, now(), False
    if v.status == "left":
        v.status, v.holds_place, v.link_id = ("registered" if claim.holds_place else "waitlisted"), claim.holds_place, \
            claim.link_id
        v.registered_at, v.waitlisted_at = (at, None) if claim.holds_place else (None, claim.created_at)
        v.team_ids, v.left_at, v.left_reason = [], None, None
        used = claim.holds_place
    elif v.status == "waitlisted" and claim.holds_place:
        v.status, v.holds_place, v.link_id = "registered", True, claim.link_id
        v.registered_at, v.waitlisted_at = at, None
        used = True
    if claim.team_id and claim.team_id not in v.team_ids:
        v.team_ids = [*v.team_ids, claim.team_id]
    v.grid_id, v.skills, v.availability, v.consent = claim.grid_id, claim.skills, claim.availability, claim.consent
    v.personal_token_hash = claim.token_hash  # the link the person got when signing up is now theirs
    v.updated_at, v.updated_by = at, by
    if v.status == "registered":
        commit(v, events.volunteer_registered(v) if was != "registered" else events.volunteer_updated(v))
    else:
        commit(v)
    return used


def confirm_claim(*, actor: Principal, claim_id: str, note: str | None = None) -> dict:
    """Staff confirm a sign-up is the matched volunteer: merged into their record (a left volunteer rejoins)."""
    claim, v = _decidable(actor, claim_id)
    decided = _decide(claim, actor, "confirmed", note)
    for attempt in range(3):
        try:
            used = _merge(v, claim, actor.user_id)
            break
        except ConcurrentChange:
            if attempt == 2:
                SignupClaim.objects(pk=claim.pk).update_one(set__status="pending", set__token_hash=claim.token_hash,
                                                            unset__decided_at=True, unset__decided_by=True)
                raise Conflict(reasons.VOLUNTEER_CHANGED()) from None
            v.reload()
    if claim.holds_place and not used:
        release_and_promote(claim.link_id)
    return _claim_view(decided, v)


def reject_claim(*, actor: Principal, claim_id: str, note: str | None = None) -> dict:
    """Staff reject a sign-up that claimed a volunteer's phone or ID number; the volunteer is unchanged."""
    claim, v = _decidable(actor, claim_id)
    decided = _decide(claim, actor, "rejected", note)
    if claim.holds_place:
        release_and_promote(claim.link_id)
    return _claim_view(decided, v)
