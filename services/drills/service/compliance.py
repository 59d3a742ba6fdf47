"""Annual compliance: each community holds a comprehensive drill and a shelter drill a year, by the due month."""
from services.drills import rules
from services.drills.config import SETTINGS
from services.drills.models import Drill, Grid
from services.drills.service.areas import community_not_found, visible_communities
from shared import clock
from shared.identity import Principal


def compliance(*, actor: Principal, year: int | None = None, community_id: str | None = None) -> list[dict]:
    """Per community and year: comprehensive and shelter drills held, held but incomplete, planned, due or overdue."""
    actor.require("drills.read")
    today = clock.today()
    year = year or today.year
    seen = visible_communities(actor)
    if community_id:
        if seen is not None and community_id not in seen:
            raise community_not_found()
        communities = [community_id]
    else:
        known = set(Grid.objects.distinct("community_id")) | set(Drill.objects(year=year).distinct("community_id"))
        communities = sorted(known if seen is None else known & seen)
    drills: dict[str, list[dict]] = {c: [] for c in communities}
    for d in Drill.objects(community_id__in=communities, year=year).only(
            "id", "community_id", "kind", "status", "hazard", "shelters_opened", "shelter_ids", "result").as_pymongo():
        drills[d["community_id"]].append({**d, "id": str(d["_id"])})
    return [{"community_id": c, **rules.compliance(drills[c], year=year, today=today,
                                                   due_month=SETTINGS.DRILL_DUE_MONTH,
                                                   complete_share=SETTINGS.DRILL_COMPLETE_SHARE)}
            for c in communities]
