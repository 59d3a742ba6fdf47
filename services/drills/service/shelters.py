"""Shelters (应急避难场所) of each community."""
from bson import ObjectId

from services.drills.models import Shelter
from services.drills.service.areas import community_object, community_query, manage
from shared import clock
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import common
from shared.reasons import drills as reasons


def shelters_of(community_id: str, shelter_ids, *, field: str = "shelter_ids") -> list[Shelter]:
    """The shelters `shelter_ids` of `community_id`, in that order (each once); refuses any that is not."""
    shelter_ids = list(dict.fromkeys(shelter_ids))
    found = {str(s.pk): s for s in Shelter.objects(pk__in=[ObjectId(i) for i in shelter_ids], community_id=community_id)}
    missing = [i for i in shelter_ids if i not in found]
    if missing:
        raise Invalid(reasons.NOT_SHELTERS_OF_COMMUNITY(community_id=community_id, list=", ".join(missing[:10])),
                      field=field)
    return [found[i] for i in shelter_ids]


def create_shelter(*, actor: Principal, data: dict) -> Shelter:
    """Record a shelter (应急避难场所) of a community."""
    manage(actor, data["community_id"])
    return commit(Shelter(**data, updated_by=actor.user_id))


def list_shelters(*, actor: Principal, community_id: str | None = None) -> list[Shelter]:
    """Shelters of the communities in scope."""
    actor.require("drills.read")
    return list(Shelter.objects(community_query(actor, community_id)).exclude("outbox").order_by("community_id", "name"))


def get_shelter(*, actor: Principal, shelter_id: str) -> Shelter:
    """One shelter."""
    return community_object(Shelter, shelter_id, actor=actor, what="shelter", permission="drills.read")


def update_shelter(*, actor: Principal, shelter_id: str, data: dict) -> Shelter:
    """Change a shelter's details or status; the version must be the one read."""
    shelter = community_object(Shelter, shelter_id, actor=actor, what="shelter", permission="drills.manage")
    if data.pop("version") != shelter.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    for key, value in data.items():
        setattr(shelter, key, value)
    shelter.updated_by, shelter.updated_at = actor.user_id, clock.now()
    return commit(shelter)
