"""Load a city's district for the scale run: households built by the households service's own code (as an import
builds them) and written with insert_many, the grid summaries refreshed, and the drills service's copy of the
register folded from the same households' registration events (as its handler folds them)."""
import multiprocessing
import os
from dataclasses import dataclass

import mongoengine
from mongoengine.context_managers import switch_db

from localrun.demo_data import demo_household
from services.drills import register_copy
from services.drills.models import Grid as DrillGrid
from services.drills.models import Household as DrillHousehold
from services.drills.models import natural_key
from services.households import service
from services.households.models import Community, Grid, Household, Street
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
    """Register `grids`' households in both databases (see connect); households written. The documents are built
    in one process per core (building them is most of the cost), written by this one."""
    if not Street.objects(pk="S").first():
        Street(id="S", name="规模街道", district="规模区").save()
    for community_id in dict.fromkeys(c for c, _ in grids):
        if not Community.objects(pk=community_id).first():
            Community(id=community_id, name=f"{community_id}社区", street_id="S").save()
    written = 0
    jobs = [(community_id, grid_id, district.per_grid) for community_id, grid_id in grids]
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        for (community_id, grid_id, _), (docs, copies) in zip(jobs, pool.imap(_grid_documents, jobs)):
            grid = service.create_grid(actor=ADMIN, data={"id": grid_id, "name": f"{grid_id}网格",
                                                          "community_id": community_id})
            with switch_db(DrillGrid, "drills") as copy:
                copy(id=grid_id, community_id=community_id, name=grid.name).save()
            for start in range(0, len(docs), BATCH):
                Household._get_collection().insert_many(docs[start:start + BATCH])
                with switch_db(DrillHousehold, "drills") as copy:
                    copy._get_collection().insert_many(copies[start:start + BATCH])
            service.refresh_summary(grid_id=grid_id)
            written += len(docs)
    return written


def _grid_documents(job: tuple[str, str, int]) -> tuple[list[dict], list[dict]]:
    """A grid's households as an import builds them (outbox already published), and the drills copy of each."""
    community_id, grid_id, per_grid = job
    grid = Grid(id=grid_id, name=f"{grid_id}网格", community_id=community_id)
    schema = HouseholdCreate()
    docs, copies = [], []
    for n in range(per_grid):
        h, raised = new_household(actor=ADMIN, grid=grid, data=schema.load(demo_household(grid_id, n)))
        doc = prepare_insert(h, *raised)
        doc["outbox"] = []      # as the relay leaves them once published
        doc.pop("outbox_pending", None)
        docs.append(doc)
        copies.append(_copy(raised))
    return docs, copies


def _copy(raised: list) -> dict:
    """The drills service's copy of a household, folded from the events its registration raised."""
    doc = None
    for event in raised:
        doc = register_copy.fold(doc, event, raised[0].data["household_id"], sort_key=natural_key) or doc
    doc["version"] = 1
    return doc
