"""Floating population (流动人口): residence permits (居住证) expiring soon or already expired, per grid."""
from datetime import date, datetime, timedelta

from services.households import rules
from services.households.config import SETTINGS
from services.households.models import Household
from services.households.service.access import grid_in_scope
from shared import clock
from shared.identity import Principal


def permits_expiring(*, actor: Principal, grid_id: str) -> list[dict]:
    """Residents of a grid's floating households whose permit expires within the notice days or has expired."""
    grid = grid_in_scope(actor, grid_id, "register.read")
    return expiring_in_grid(grid.pk, today=clock.today())


def expiring_in_grid(grid_id: str, *, today: date) -> list[dict]:
    """The grid's permits expiring by today + PERMIT_EXPIRY_NOTICE_DAYS, expired first, soonest first."""
    until = today + timedelta(days=SETTINGS.PERMIT_EXPIRY_NOTICE_DAYS)
    rows = Household._get_collection().find(
        {"grid_id": grid_id, "status": "active", "residency": "floating",
         "residents.permit_expires_on": {"$lte": datetime.combine(until, datetime.min.time())}},
        {"address": 1, "address_sort": 1, "residents.resident_id": 1, "residents.name": 1,
         "residents.permit_number": 1, "residents.permit_expires_on": 1})
    out = []
    for doc in rows:
        for r in doc.get("residents") or []:
            expires = rules.day(r.get("permit_expires_on"))
            if expires is None or expires > until:
                continue
            out.append({"household_id": str(doc["_id"]), "address": doc.get("address") or {},
                        "address_sort": doc.get("address_sort") or "", "resident_id": r.get("resident_id"),
                        "name": r.get("name"), "permit_number": r.get("permit_number"),
                        "permit_expires_on": expires, "days_left": (expires - today).days,
                        "expired": expires < today})
    out.sort(key=lambda row: (row["permit_expires_on"], row["address_sort"], row["name"] or ""))
    return out


def permit_counts(grid_id: str, *, today: date) -> dict[str, int]:
    """How many permits of the grid are expiring within the notice days, and how many have expired (no names)."""
    rows = expiring_in_grid(grid_id, today=today)
    expired = sum(1 for row in rows if row["expired"])
    return {"permits_expiring": len(rows) - expired, "permits_expired": expired}
