"""Emergency supplies and equipment (应急物资): how much, where kept, until when good, and flags raised on them.

The stock is booked in (入库) and out (出库) on the item's ledger, never set: a PUT that would change the quantity is
refused (422, drills.quantity_by_movements); one that repeats the current quantity is accepted as it changes nothing.
A recorded item's first quantity is its opening line."""
from datetime import date

from bson import ObjectId

from services.drills import rules
from services.drills.config import SETTINGS
from services.drills.models import Drill, Supply, SupplyFlag, SupplyMovement
from services.drills.service.areas import community_object, community_query, manage
from services.drills.service.shelters import shelters_of
from shared import clock
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit
from shared.reasons import common
from shared.reasons import drills as reasons

PROBLEMS = ("expired", "expiring", "missing", "short", "flagged")
OPENING = "opening stock"  # the reason of the line a recorded item's first quantity makes
LEDGER_SHOWN = 50  # the latest lines a supply item shows; the ledger itself keeps every line


def supply_view(s: Supply, today: date) -> dict:
    """A supply item as the API shows it, with what is wrong with it today."""
    flags = [{"problem": f.problem, "note": f.note, "drill_id": f.drill_id, "by": f.by, "at": f.at,
              "cleared_at": f.cleared_at} for f in s.flags]
    view = {"id": str(s.pk), "community_id": s.community_id, "name": s.name, "category": s.category, "unit": s.unit,
            "quantity": s.quantity, "required_quantity": s.required_quantity, "location": s.location,
            "shelter_id": s.shelter_id, "expires_on": s.expires_on, "flags": flags, "version": s.version,
            "movements": [{"direction": m.direction, "quantity": m.quantity, "reason": m.reason, "by": m.by,
                           "by_name": m.by_name, "at": m.at, "stock": m.stock}
                          for m in reversed(s.movements[-LEDGER_SHOWN:])]}
    view["problems"] = rules.supply_state(view, today=today, expiring_days=SETTINGS.SUPPLY_EXPIRING_DAYS)
    return view


def _saved(supply: Supply) -> dict:
    return supply_view(commit(supply), clock.today())


def _check_refs(community_id: str, data: dict) -> None:
    if data.get("shelter_id"):
        shelters_of(community_id, [data["shelter_id"]], field="shelter_id")


def create_supply(*, actor: Principal, data: dict) -> dict:
    """Record emergency supplies or equipment: how much, where kept, until when good."""
    manage(actor, data["community_id"])
    _check_refs(data["community_id"], data)
    supply = Supply(**data, updated_by=actor.user_id)
    if supply.quantity:
        supply.movements = [SupplyMovement(direction="in", quantity=supply.quantity, reason=OPENING, by=actor.user_id,
                                           by_name=actor.name or None, at=clock.now(), stock=supply.quantity)]
    return _saved(supply)


def list_supplies(*, actor: Principal, community_id: str | None = None, problem: str | None = None) -> list[dict]:
    """Supplies in scope, each with what is wrong with it; `problem` keeps only those with that problem."""
    actor.require("drills.read")
    today = clock.today()
    views = [supply_view(s, today) for s in
             Supply.objects(community_query(actor, community_id)).exclude("outbox").order_by("community_id", "name")]
    return [v for v in views if problem is None or problem in v["problems"]]


def supplies_report(*, actor: Principal, community_id: str) -> dict:
    """A community's supplies that are expired, expiring, missing, short or flagged."""
    views = list_supplies(actor=actor, community_id=community_id)
    out = {"community_id": community_id}
    for problem in PROBLEMS:
        out[problem] = [v for v in views if problem in v["problems"]]
    return out


def get_supply(*, actor: Principal, supply_id: str) -> dict:
    """One supply item with its problems."""
    supply = community_object(Supply, supply_id, actor=actor, what="supply", permission="drills.read")
    return supply_view(supply, clock.today())


def update_supply(*, actor: Principal, supply_id: str, data: dict) -> dict:
    """Change a supply item (where kept, a new expiry date, the quantity required); the version must be the one read.
    The stock is booked in and out (book_movement), not set here."""
    supply = community_object(Supply, supply_id, actor=actor, what="supply", permission="drills.manage")
    if data.pop("version") != supply.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    quantity = data.pop("quantity", None)
    if quantity is not None and quantity != supply.quantity:
        raise Invalid(reasons.QUANTITY_BY_MOVEMENTS(), field="quantity")
    _check_refs(supply.community_id, data)
    for key, value in data.items():
        setattr(supply, key, value)
    supply.updated_by, supply.updated_at = actor.user_id, clock.now()
    return _saved(supply)


def flag_supply(*, actor: Principal, supply_id: str, problem: str, note: str | None = None,
                drill_id: str | None = None) -> dict:
    """Flag a supply item as missing, expired, damaged or short (during a drill, or any time)."""
    supply = community_object(Supply, supply_id, actor=actor, what="supply", permission="drills.tick")
    if drill_id:
        drill = Drill.objects(pk=ObjectId(drill_id), community_id=supply.community_id).only("id").first()
        if drill is None:
            raise Invalid(reasons.NO_SUCH_DRILL_FOR_SUPPLY(), field="drill_id")
    supply.flags.append(SupplyFlag(problem=problem, note=note, drill_id=drill_id, by=actor.user_id, at=clock.now()))
    supply.flagged = True
    supply.updated_by, supply.updated_at = actor.user_id, clock.now()
    return _saved(supply)


def clear_supply_flags(*, actor: Principal, supply_id: str, note: str | None = None) -> dict:
    """Close a supply item's open flags once the problem is put right."""
    supply = community_object(Supply, supply_id, actor=actor, what="supply", permission="drills.manage")
    open_flags = [f for f in supply.flags if f.cleared_at is None]
    if not open_flags:
        raise Conflict(reasons.NO_OPEN_FLAG())
    for flag in open_flags:
        flag.cleared_at, flag.cleared_by = clock.now(), actor.user_id
        if note:
            flag.note = f"{flag.note or ''} / {note}".strip(" /")
    supply.flagged = False
    supply.updated_by, supply.updated_at = actor.user_id, clock.now()
    return _saved(supply)


def book_movement(*, actor: Principal, supply_id: str, direction: str, quantity: int, reason: str) -> dict:
    """Book supplies in (入库) or out (出库) on the item's ledger; more out than in stock is refused (422)."""
    supply = community_object(Supply, supply_id, actor=actor, what="supply", permission="drills.manage")
    for attempt in range(5):
        stock = rules.stock_after(supply.quantity or 0, direction, quantity)
        if stock is None:
            raise Invalid(reasons.OUT_MORE_THAN_STOCK(stock=supply.quantity or 0, quantity=quantity), field="quantity")
        at = clock.now()
        supply.movements.append(SupplyMovement(direction=direction, quantity=quantity, reason=reason, by=actor.user_id,
                                               by_name=actor.name or None, at=at, stock=stock))
        supply.quantity, supply.updated_by, supply.updated_at = stock, actor.user_id, at
        try:
            return _saved(supply)  # only onto the version read: a line booked meanwhile is counted first
        except ConcurrentChange:
            if attempt == 4:
                raise
            supply = Supply.objects.get(pk=supply.pk)
