"""Roll-call ticks from grid workers' phones: stored once per client_id, times corrected by the phone's clock
offset and kept within the drill, each folded into its grid's state (see rollcall)."""
from datetime import datetime, timedelta, timezone

import mongoengine as me

from services.drills import events, rules
from services.drills.config import SETTINGS
from services.drills.metrics import TICKS
from services.drills.models import Drill, RollCall, RollState, Tick
from services.drills.service.areas import drill_grid
from services.drills.service.rollcall import apply_state, result, roll_id
from shared import clock
from shared.errors import Conflict, NotFound
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import drills as reasons

TICK_FIELDS = ("id", "community_id", "grid_ids", "status", "started_at", "ended_at")
_ROLLS: dict[str, frozenset] = {}  # roll id -> households on it; a roll never changes once frozen


def record_ticks(*, actor: Principal, drill_id: str, grid_id: str, ticks: list[dict],
                 sent_at: datetime | None = None) -> dict:
    """Store roll-call ticks from a grid worker's phone; a tick sent again (same client_id) is stored once."""
    drill = drill_grid(drill_id, grid_id, actor=actor, permission="drills.tick", only=TICK_FIELDS)
    received = clock.now()
    _accepting(drill, received)
    return _tick_batch(actor, drill, grid_id, ticks, sent_at, received)[0]


def record_tick(*, actor: Principal, drill_id: str, grid_id: str, household_id: str, data: dict) -> tuple[dict, bool]:
    """Store one tick (the online path); returns (outcome, stored now). A rejected tick is an error."""
    data = dict(data)
    sent_at = data.pop("sent_at", None)
    drill = drill_grid(drill_id, grid_id, actor=actor, permission="drills.tick", only=TICK_FIELDS)
    received = clock.now()
    _accepting(drill, received)
    out, [error] = _tick_batch(actor, drill, grid_id, [{**data, "household_id": household_id}], sent_at, received)
    if error:
        raise error
    return out, out["results"][0]["outcome"] == "stored"


def _on_roll(drill: Drill, grid_id: str) -> frozenset:
    rid = roll_id(drill, grid_id)
    if rid not in _ROLLS:
        roll = RollCall._get_collection().find_one({"_id": rid}, {"roster.household_id": 1})
        if roll is None:
            raise Conflict(reasons.ROLL_NOT_READY())
        if len(_ROLLS) > 1000:
            _ROLLS.clear()
        _ROLLS[rid] = frozenset(e["household_id"] for e in roll["roster"])
    return _ROLLS[rid]


def _accepting(drill: Drill, received: datetime) -> None:
    if drill.status == "cancelled":
        raise Conflict(reasons.CANCELLED())
    if drill.status == "planned":
        raise Conflict(reasons.NOT_STARTED())
    late = timedelta(minutes=SETTINGS.DRILL_LATE_TICK_MINUTES)
    if drill.status == "completed" and received > clock.aware(drill.ended_at) + late:
        raise Conflict(reasons.ROLLCALL_CLOSED())


def _tick_batch(actor, drill, grid_id, items, sent_at, received) -> tuple[dict, list]:
    on_roll = _on_roll(drill, grid_id)
    skew = (received - sent_at) if sent_at else timedelta(0)
    results, errors, state = [], [], {}
    for item in items:
        outcome, error, after = _one_tick(actor, drill, grid_id, on_roll, item, skew, received)
        if after:
            state = after
            outcome["status"] = rules.status_of(after["latest"][item["household_id"]])
        results.append(outcome)
        errors.append(error)
    if drill.status == "completed" and any(r["outcome"] == "stored" for r in results):
        Drill._get_collection().update_one({"_id": drill.pk}, {"$set": {"result": result(drill)}})
    if not state:
        state = RollState._get_collection().find_one({"_id": roll_id(drill, grid_id)},
                                                     {"total": 1, "accounted": 1}) or {}
    return {"drill_status": drill.status, "total": state.get("total", 0), "accounted": state.get("accounted", 0),
            "results": results}, errors


def _phone_time(at: datetime, skew: timedelta, received: datetime) -> datetime:
    """A phone's time corrected by its clock's offset; a clock near year 1 or 9999 lands past an end of the clamp."""
    try:
        return at + skew
    except OverflowError:
        return received if skew > timedelta(0) else datetime.min.replace(tzinfo=timezone.utc)


def _one_tick(actor, drill, grid_id, on_roll, item, skew, received):
    """(result, error to raise on the single-tick path or None, the grid's state after it or None)."""
    household_id, client_id = item["household_id"], item["client_id"]
    out = {"client_id": client_id, "household_id": household_id}
    rid = roll_id(drill, grid_id)

    def rejected(error):
        TICKS.labels("rejected").inc()
        return {**out, "outcome": "rejected", "error": error.message, "reason": error.reason}, error, None

    if household_id not in on_roll:
        return rejected(NotFound(reasons.NOT_ON_ROLL(), field="household_id"))
    at = _phone_time(item["at"], skew, received) if item.get("at") else received
    at = min(max(at, clock.aware(drill.started_at)), received)
    if drill.ended_at and at > clock.aware(drill.ended_at):
        stored = _stored_tick(drill, client_id)  # a resend of a tick made in time is still that tick
        if stored is None:
            return rejected(Conflict(reasons.TICK_AFTER_END(), field="at"))
    else:
        tick = Tick(drill_id=str(drill.pk), community_id=drill.community_id, grid_id=grid_id,
                    household_id=household_id, status=item["status"], at=clock.to_ms(at), phone_at=item.get("at"),
                    received_at=received, client_id=client_id, note=item.get("note"), by=actor.user_id,
                    by_name=actor.name)
        try:  # stored first, checked after: the usual tick is new, so it costs one write and no read
            commit(tick, events.household_accounted(tick))
        except me.NotUniqueError:  # sent before (or twice at once): the stored one stands
            stored = _stored_tick(drill, client_id)
        else:
            TICKS.labels("stored").inc()
            return {**out, "outcome": "stored"}, None, apply_state(rid, household_id, tick.at, tick.status)
    if stored is None or stored.household_id != household_id or stored.grid_id != grid_id:
        return rejected(Conflict(reasons.CLIENT_ID_TAKEN(), field="client_id"))
    TICKS.labels("duplicate").inc()  # applied again: heals a first try that stopped before the state's write
    return {**out, "outcome": "duplicate"}, None, apply_state(rid, stored.household_id, stored.at, stored.status)


def _stored_tick(drill: Drill, client_id: str) -> Tick | None:
    return Tick.objects(drill_id=str(drill.pk), client_id=client_id).only(
        "household_id", "grid_id", "at", "status").first()
