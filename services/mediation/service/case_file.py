"""One case file (一案一档) as every use case handles it: found in the caller's scope, written up step by step.

Scope: a case is visible to callers whose grids or communities cover it, to its first-contact owner (首问责任人,
for good) and to its current mediator; anything else is 404 (deny by default).
"""
from datetime import date

import mongoengine as me
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.mediation.models import Dispute, Step
from services.mediation.rules import case_number
from shared.clock import now
from shared.errors import Conflict, Forbidden
from shared.events.mediation import DESK_KINDS
from shared.identity import Principal
from shared.permissions import COMMUNITY_ROLES
from shared.reasons import mediation as reasons
from shared.scope import load_in_scope


def scope_query(actor: Principal, *, personal: bool = True) -> me.Q:
    """Cases within the caller's grids and communities, plus (if `personal`) the ones they own, mediate or handle."""
    if actor.district_wide:
        return me.Q()
    where = me.Q(grid_id__in=list(actor.grid_ids)) | me.Q(community_id__in=list(actor.community_ids))
    if personal:
        where |= me.Q(owner_id=actor.user_id) | me.Q(mediator_id=actor.user_id) | me.Q(handler_id=actor.user_id)
    return where


def kind_query(kind: str | None) -> me.Q:
    """Cases of one kind (None: every kind). Cases stored before kinds existed have none: they are disputes."""
    if not kind:
        return me.Q()
    return me.Q(kind__nin=list(DESK_KINDS)) if kind == "dispute" else me.Q(kind=kind)


def given(**filters) -> me.Q:
    """The filters a caller gave (those left empty match everything)."""
    return me.Q(**{field: value for field, value in filters.items() if value})


def _covers(actor: Principal, d: Dispute) -> bool:
    return actor.covers(community_id=d.community_id, grid_id=d.grid_id)


def staff_of(actor: Principal, d: Dispute) -> bool:
    """Community staff (or admin) whose scope covers the case: a grid worker of its grid is not staff."""
    return actor.role in COMMUNITY_ROLES and _covers(actor, d)


def dispute(actor: Principal, dispute_id: str, permission: str = "disputes.read") -> Dispute:
    """The case if the caller may see it (its place, or they own, mediate or handle it); else 404."""
    return load_in_scope(Dispute, dispute_id, actor=actor, what="dispute", permission=permission,
                         visible=lambda d: _covers(actor, d) or actor.user_id in (d.owner_id, d.mediator_id,
                                                                                  d.handler_id))


def managed(actor: Principal, dispute_id: str, permission: str) -> Dispute:
    """A case the caller manages as community staff (or admin) of its place."""
    d = dispute(actor, dispute_id, permission)
    if not _covers(actor, d):
        raise Forbidden(reasons.STAFF_ONLY())
    return d


def handled(actor: Principal, dispute_id: str) -> Dispute:
    """A case the caller may work on: its assigned mediator (of a request or an incident: the person it is
    dispatched to), or staff of its community."""
    d = dispute(actor, dispute_id)
    if d.kind != "dispute":
        actor.require("cases.handle")
        if actor.user_id != d.handler_id and not staff_of(actor, d):
            raise Forbidden(reasons.HANDLER_ONLY())
        return d
    actor.require("disputes.handle")
    if actor.role == "mediator":
        if d.mediator_id != actor.user_id:
            raise Forbidden(reasons.ASSIGNED_MEDIATOR_ONLY())
    elif not _covers(actor, d):
        raise Forbidden(reasons.STAFF_ONLY())
    return d


def step(d: Dispute, actor: Principal | None, action: str, **detail) -> None:
    """Write a step into the case's history (dates as ISO text), and who changed it last."""
    d.history.append(Step(at=now(), action=action, by=actor.user_id if actor else None,
                          by_name=actor.name if actor else None,
                          detail={k: (v.isoformat() if isinstance(v, date) else v) for k, v in detail.items()}))
    d.updated_at = now()
    d.updated_by = actor.user_id if actor else None


def next_number(kind: str, year: int) -> str:
    """The next number of a year's sequence (`2026-XF-0001`), taken atomically.

    The year's counter is created by a plain insert (a duplicate means someone else made it) and then
    only ever incremented, so no two callers race on an upsert.
    """
    counters = me.get_db()["counters"]
    key = f"{kind}-{year}"
    for _ in range(5):
        row = counters.find_one_and_update({"_id": key}, {"$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER)
        if row is not None:
            return case_number(kind, year, row["seq"])
        try:
            counters.insert_one({"_id": key, "seq": 0})
        except DuplicateKeyError:
            pass
    raise Conflict(reasons.NUMBER_BUSY())
