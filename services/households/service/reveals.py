"""Personal data shown in full (a household revealed, a household found by a full number): each look recorded."""
import mongoengine as me

from services.households import lookup
from services.households.models import Household, RevealRecord
from services.households.service.access import grid_in_scope, household_in_scope, scope_query
from shared.identity import Principal


def reveal_household(*, actor: Principal, household_id: str, reason: str) -> Household:
    """A household with ID numbers and phones in full; the look is recorded."""
    h = household_in_scope(actor, household_id, "register.reveal")
    RevealRecord(household_id=str(h.pk), grid_id=h.grid_id, user_id=actor.user_id, role=actor.role,
                 reason=reason).save()
    return h


def lookup_households(*, actor: Principal, number: str, reason: str, grid_id: str | None = None) -> list[Household]:
    """Households in scope (or in one grid) holding this full ID number or phone; each find is recorded."""
    actor.require("register.reveal")
    where = me.Q(grid_id=grid_in_scope(actor, grid_id, "register.reveal").pk) if grid_id else scope_query(actor)
    found = list(Household.objects(where & me.Q(lookup_keys=lookup.lookup_key(number)))
                 .exclude("history", "outbox").order_by("status", "address_sort"))
    for h in found:
        RevealRecord(household_id=str(h.pk), grid_id=h.grid_id, user_id=actor.user_id, role=actor.role,
                     reason=reason, kind="lookup").save()
    return found


def reveal_records(*, actor: Principal, household_id: str) -> list[RevealRecord]:
    """Who looked at this household's personal data, newest first."""
    h = household_in_scope(actor, household_id, "register.reveal")
    return list(RevealRecord.objects(household_id=str(h.pk)).order_by("-at"))
