"""Sign-up links: made by staff or a team leader, printed as QR codes, with places and a waiting list."""
import re
from datetime import timedelta

from bson import ObjectId

from services.volunteers import events
from services.volunteers.config import SETTINGS, SIGNUP_PATH, public_url
from services.volunteers.models import GridCopy, SignupLink, Team, VolunteerRecord
from services.volunteers.register_copy import community_copy
from services.volunteers.rules import TOKEN, link_state, options
from services.volunteers.service import access
from shared.clock import aware, now
from shared.errors import Forbidden, Invalid, NotFound
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.permissions import COMMUNITY_ROLES
from shared.reasons import volunteers as reasons
from shared.tokens import new_token


def _link_view(link: SignupLink) -> dict:
    return {
        "id": str(link.pk), "token": link.token, "public_url": public_url(SIGNUP_PATH, token=link.token),
        "community_id": link.community_id, "team_id": link.team_id, "title": link.title,
        "expires_at": aware(link.expires_at), "capacity": link.capacity, "filled": link.filled,
        "waitlisted": VolunteerRecord.objects(link_id=str(link.pk), status="waitlisted").count(),
        "state": link_state(link), "created_by": link.created_by, "created_at": aware(link.created_at),
    }


def create_link(*, actor: Principal, data: dict) -> dict:
    """Make a sign-up link (long random token) for a community or one of its teams."""
    access.in_community(actor, data["community_id"], "links.manage")
    team_id = data.get("team_id")
    if team_id:
        team = access.team(actor, team_id, "links.manage")
        if team.community_id != data["community_id"]:
            raise Invalid(reasons.TEAM_OF_OTHER_COMMUNITY(), field="team_id")
        access.require_leads(actor, [team_id], "make a link for this team")
    elif actor.role not in COMMUNITY_ROLES:
        raise Forbidden(reasons.LINK_FOR_LED_TEAM())
    at, max_days = now(), SETTINGS.VOLUNTEER_LINK_MAX_DAYS
    expires_at = data.get("expires_at") or at + timedelta(days=data.get("valid_days") or 30)
    if expires_at <= at:
        raise Invalid(reasons.IN_THE_FUTURE(), field="expires_at")
    if expires_at > at + timedelta(days=max_days):
        raise Invalid(reasons.LINK_AT_MOST_DAYS(n=max_days), field="expires_at")
    link = SignupLink(token=new_token(), community_id=data["community_id"], team_id=team_id,
                      title=data.get("title"), expires_at=expires_at, capacity=data.get("capacity"),
                      created_by=actor.user_id)
    link.save(force_insert=True)
    return _link_view(link)


def list_links(*, actor: Principal, community_id: str) -> list[dict]:
    """The community's sign-up links, newest first (a team leader sees their teams' links)."""
    access.in_community(actor, community_id, "links.manage")
    query = SignupLink.objects(community_id=community_id)
    if actor.role == "team_leader":
        query = query.filter(team_id__in=access.led_team_ids(actor, community_id))
    return [_link_view(link) for link in query.order_by("-created_at").limit(500)]


def get_link(*, actor: Principal, link_id: str) -> dict:
    """One sign-up link with its counts."""
    return _link_view(access.link(actor, link_id))


def link_qr(*, actor: Principal, link_id: str, kind: str) -> bytes:
    """The link's QR code (svg or png) to print or share."""
    from shared.qr import qr_png, qr_svg

    link = access.link(actor, link_id)
    url = public_url(SIGNUP_PATH, token=link.token)
    return qr_svg(url) if kind == "svg" else qr_png(url)


def close_link(*, actor: Principal, link_id: str) -> dict:
    """Stop a link taking sign-ups."""
    link = access.link(actor, link_id)
    SignupLink.objects(pk=link.pk, closed_at=None).update_one(set__closed_at=now())
    link.reload()
    return _link_view(link)


def set_capacity(*, actor: Principal, link_id: str, capacity: int | None) -> dict:
    """Change a link's places; places that open up go to the waiting list in order."""
    link = access.link(actor, link_id)
    SignupLink.objects(pk=link.pk).update_one(set__capacity=capacity)
    promote(link.pk)
    link.reload()
    return _link_view(link)


def by_token(token: str) -> SignupLink:
    """The sign-up link a public page names by its token (404 for anything else)."""
    link = SignupLink.objects(token=token).first() if re.match(TOKEN, token or "") else None
    if link is None:
        raise NotFound(reasons.NO_SUCH_LINK(), field="token")
    return link


def public_link(*, token: str) -> dict:
    """What the public sign-up page shows: who is asking, whether it is open, the form's choices."""
    link = by_token(token)
    community = community_copy(link.community_id)
    team = Team.objects(pk=ObjectId(link.team_id)).first() if link.team_id else None
    left = max(0, link.capacity - link.filled) if link.capacity is not None else None
    return {"title": link.title, "community_id": link.community_id, "community_name": community.display_name,
            "team_id": link.team_id, "team_name": team.name if team else None, "state": link_state(link),
            "expires_at": aware(link.expires_at), "capacity": link.capacity, "places_left": left,
            "grids": list(GridCopy.objects(community_id=link.community_id).order_by("id")), **options()}


# ---- places and the waiting list ----------------------------------------------------------------------

def reserve_place(link_id, capacity: int | None) -> bool:
    """Take one place atomically; False when the link is full (two sign-ups never share the last place)."""
    if capacity is None:
        SignupLink.objects(pk=link_id).update_one(inc__filled=1)
        return True
    return SignupLink.objects(pk=link_id, filled__lt=capacity).update_one(inc__filled=1) == 1


def release_place(link_id) -> None:
    """Give a place back (its holder left, or a claim that held it was decided)."""
    SignupLink.objects(pk=link_id, filled__gt=0).update_one(dec__filled=1)


def promote(link_id) -> int:
    """Give open places to the waiting list, first come first served; returns how many were promoted."""
    promoted = 0
    while True:
        link = SignupLink.objects(pk=link_id).first()
        nxt = VolunteerRecord.objects(link_id=str(link_id), status="waitlisted").order_by("waitlisted_at", "id").first()
        if link is None or nxt is None or not reserve_place(link.pk, link.capacity):
            return promoted
        nxt.status, nxt.holds_place, nxt.registered_at, nxt.updated_at = "registered", True, now(), now()
        try:
            commit(nxt, events.volunteer_registered(nxt))
            promoted += 1
        except ConcurrentChange:
            release_place(link.pk)  # it changed under us (left, promoted elsewhere); try the next one


def release_and_promote(link_id: str) -> None:
    """A place on this link came free: give it back, and to the first on the waiting list."""
    release_place(ObjectId(link_id))
    promote(ObjectId(link_id))


def waitlist_position(v: VolunteerRecord) -> int | None:
    """Where a waitlisted volunteer stands on their link's waiting list (1 is next)."""
    if v.status != "waitlisted":
        return None
    ahead = VolunteerRecord.objects(link_id=v.link_id, status="waitlisted", waitlisted_at__lt=v.waitlisted_at)
    return ahead.count() + 1
