"""This service's copy of the households register (grids and households, to pick parties from), kept from
households events, and the parties of open cases brought up to date when their household moves or changes.

Events come twice or out of order: each grid and household carries the time of the newest event applied
(`as_of`) and an older event changes nothing (shared.register_copy). Cases note the event id in their history.
"""
from services.mediation.models import OPEN, Dispute, RegisterGrid, RegisterHousehold, RegisterResident
from services.mediation.service.case_file import step
from shared.errors import NotYet
from shared.messaging.outbox import commit
from shared.register_copy import event_time, newer


def address_text(address: dict | None) -> str:
    """Building, unit and room as one line: 1栋1单元101."""
    a = address or {}
    return "".join(x for x in (a.get("building"), a.get("unit"), a.get("room")) if x)


def _index(h: RegisterHousehold) -> None:
    h.address_text = address_text(h.address)
    h.search_text = " ".join([h.address_text] + [r.name for r in h.residents]).lower()


def _apply_household(household_id: str, at, mutate, *, create: bool = False) -> None:
    h = RegisterHousehold.objects(pk=household_id).first()
    if h is None:
        if not create:
            raise NotYet(f"household {household_id} is not known yet")  # its registration comes first
        h = RegisterHousehold(id=household_id, as_of=at)
    elif not newer(at, h.as_of):
        return  # this event (or a newer one) is already applied
    mutate(h)
    h.as_of = at
    _index(h)
    h.save()


def _residents(rows: list[dict]) -> list[RegisterResident]:
    return [RegisterResident(resident_id=r["resident_id"], name=r["name"], relation=r.get("relation"),
                             care_tags=list(r.get("care_tags") or [])) for r in rows]


def apply_register_event(event) -> None:
    """Keep the copy of grids and households current from a households event (idempotent, order-safe)."""
    data, at, kind = event.data, event_time(event), event.type
    if kind == "grid.created":
        g = RegisterGrid.objects(pk=data["grid_id"]).first()
        if g is None or newer(at, g.as_of):
            RegisterGrid(id=data["grid_id"], community_id=data["community_id"], name=data["name"], as_of=at).save()
    elif kind in ("household.registered", "household.updated"):
        def snapshot(h):
            h.community_id, h.grid_id = event.community_id, event.grid_id
            h.address, h.residency, h.status = dict(data["address"]), data["residency"], "active"
            h.residents = _residents(data["residents"])
        _apply_household(data["household_id"], at, snapshot, create=True)
    elif kind == "household.moved":
        def moved(h):
            h.grid_id, h.community_id, h.address = data["to_grid_id"], data["to_community_id"], dict(data["address"])
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
                p.address = address_text(data["address"])
            if event.type == "household.updated":
                care = {t for r in data["residents"] if not p.resident_id or r["resident_id"] == p.resident_id
                        for t in r.get("care_tags") or []}
                p.vulnerable = p.vulnerable or bool(care)
            if (p.grid_id, p.community_id, p.address, p.vulnerable) == was:
                continue
            touched.append({"party_id": p.party_id, "household_id": p.household_id, "from": before,
                            "to": {"grid_id": p.grid_id, "community_id": p.community_id}})
        if touched:
            step(d, None, "party_moved" if place else "party_updated", event_id=event.id, event_type=event.type,
                 parties=touched)
            commit(d)  # a concurrent change raises: the consumer retries, and the event id keeps it once
            changed += 1
    return changed
