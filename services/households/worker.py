"""The households worker: `python -m services.households.worker`."""
import os

from services.households import events, models, service
from services.households.config import SERVICE, SETTINGS
from services.households.handlers import HANDLERS
from services.households.models import BuildingHead, Grid, Household, Redraw, TenHouseholdGroup, Visit
from services.households.service import import_journal
from shared.config import Config
from shared.messaging import worker
from shared.messaging.outbox import documents_with_outbox

# Each aggregate as it is now, as events: `python -m shared.messaging.resend services.households.worker QUEUE` sends these.
SNAPSHOTS = {
    Grid: lambda g: [events.grid_created(g)],
    Household: lambda h: [events.household_registered(h)] + ([events.household_left(h, None)] if h.status == "left"
                                                             else []),
    Visit: lambda v: [events.visit_logged(v)],
    BuildingHead: lambda b: [events.building_head_changed(b)],
    TenHouseholdGroup: lambda g: [events.household_group_changed(g)],
}


def refresh_all_summaries() -> None:
    for grid_id in Grid.objects.scalar("id"):
        service.refresh_summary(grid_id=grid_id)


def finish_pending_redraws() -> None:
    for redraw_id in Redraw.objects(status="pending").scalar("id"):
        service.apply_redraw(redraw_id=str(redraw_id))


def recover_imports() -> None:
    import_journal.recover(stale_after_s=SETTINGS.IMPORT_STALE_S)


def bootstrap(config):
    """The worker's parts for `config` (tests pass a test config), which the worker binds."""
    config.use(SETTINGS)
    published = []

    def publish_cadences() -> None:
        """The care-visit cadences, to volunteers, once soon after the start when they differ from those last
        published (a failed try is tried again). Settings are read at the start, so once is enough; trying again
        later would only undo, during a rolling update, the table a newer replica published."""
        if not published:
            service.publish_cadences()
            published.append(True)

    return dict(handlers=HANDLERS, documents=documents_with_outbox(models),
                periodic=[(600, refresh_all_summaries), (60, finish_pending_redraws), (30, recover_imports),
                          (5, publish_cadences)])


def main():
    config = Config(SERVICE)
    worker.run(config, package=__package__, metrics_port=int(os.environ.get("METRICS_PORT", "9101")),
               **bootstrap(config))


if __name__ == "__main__":
    main()
