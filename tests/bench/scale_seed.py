"""Load a city's district for the scale run: households built by the households service's own code (as an import
builds them) and written with insert_many, the grid summaries refreshed, and the drills service's copy of the
register folded from the same households' registration events (as its handler folds them)."""
from dataclasses import dataclass

import mongoengine
from mongoengine.context_managers import switch_db

from localrun.demo_data import demo_household
from services.drills import register_copy
from services.drills.models import Grid as DrillGrid
from services.drills.models import Household as DrillHousehold
from services.drills.models import natural_key
from services.households import service
from services.households.models import Community, Household, Street
from services.households.schemas import HouseholdCreate
from services.households.service.households import new_household
from shared.identity import Principal
from shared.messaging.outbox import prepare_insert

ADMIN = Principal(user_id="bench", role="admin")
BATCH = 500  # households per insert_many


@dataclass(frozen=True)
class District:
    """200 grids of 500 households across 10 communities; the first community has `small_grids` grids."""
    communities: int = 10
    grids: int = 200
    per_grid: int = 500
    small_grids: int = 10

    def grid_ids(self, community: int) -> list[str]:
        """The grids of the n-th community (the first is the small one the roll-call freezes)."""
        if community == 0:
            return [f"S-C00-G{g:03d}" for g in range(self.small_grids)]
        rest = range(self.small_grids, self.grids)
        return [f"S-C{community:02d}-G{g:03d}" for g in rest if g % (self.communities - 1) == community - 1]

    def layout(self) -> list[tuple[str, str]]:
        """(community_id, grid_id) for every grid, the small community's first."""
        return [(f"S-C{c:02d}", g) for c in range(self.communities) for g in self.grid_ids(c)]

    @property
    def households(self) -> int:
        return self.grids * self.per_grid


def connect(url: str, households_db: str, drills_db: str) -> None:
    """The households database as mongoengine's default, the drills one beside it (alias "drills")."""
    mongoengine.connect(db=households_db, host=url, tz_aware=True, uuidRepresentation="standard")
    mongoengine.connect(db=drills_db, host=url, tz_aware=True, uuidRepresentation="standard", alias="drills")


def load(district: District, grids: list[tuple[str, str]]) -> int:
    """Register `grids`' households in both databases (see connect); households written."""
    if not Street.objects(pk="S").first():
        Street(id="S", name="规模街道", district="规模区").save()
    schema = HouseholdCreate()
    written = 0
    for community_id, grid_id in grids:
        if not Community.objects(pk=community_id).first():
            Community(id=community_id, name=f"{community_id}社区", street_id="S").save()
        grid = service.create_grid(actor=ADMIN, data={"id": grid_id, "name": f"{grid_id}网格",
                                                      "community_id": community_id})
        with switch_db(DrillGrid, "drills") as copy:
            copy(id=grid_id, community_id=community_id, name=grid.name).save()
        for start in range(0, district.per_grid, BATCH):
            built = [new_household(actor=ADMIN, grid=grid, data=schema.load(demo_household(grid_id, n)))
                     for n in range(start, min(start + BATCH, district.per_grid))]
            docs = [prepare_insert(h, *raised) for h, raised in built]
            for doc in docs:    # as the relay leaves them once published
                doc["outbox"] = []
                doc.pop("outbox_pending", None)
            Household._get_collection().insert_many(docs)
            with switch_db(DrillHousehold, "drills") as copy:
                copy._get_collection().insert_many([_copy(raised) for _, raised in built])
            written += len(docs)
        service.refresh_summary(grid_id=grid_id)
    return written


def _copy(raised: list) -> dict:
    """The drills service's copy of a household, folded from the events its registration raised."""
    doc = None
    for event in raised:
        doc = register_copy.fold(doc, event, raised[0].data["household_id"], sort_key=natural_key) or doc
    doc["version"] = 1
    return doc
