"""The households worker: `python -m services.households.worker`."""
import functools
import os

from services.households import events, import_journal, lookup, service
from services.households.config import SETTINGS
from services.households.handlers import HANDLERS
from services.households.models import Grid, Household, Redraw, Visit
from shared.config import Config
from shared.messaging import worker

# Each aggregate as it is now, as events: `python -m shared.messaging.resend households QUEUE` sends these.
SNAPSHOTS = {
    Grid: lambda g: [events.grid_created(g)],
    Household: lambda h: [events.household_registered(h)] + ([events.household_left(h, None)] if h.status == "left"
                                                             else []),
    Visit: lambda v: [events.visit_logged(v)],
}


def bootstrap(config):
    """The worker's parts wired for `config` (tests pass a test config)."""
    config.use(SETTINGS)
    cadence = config.VISIT_CADENCE_DAYS
    lookup.configure(key=config.LOOKUP_HMAC_KEY)  # households it writes back (an import it finishes) get their hashes
    with_cadence = {f: functools.partial(f, cadence_days=cadence) for fs in HANDLERS.values() for f in fs}
    handlers = {t: [with_cadence[f] for f in fs] for t, fs in HANDLERS.items()}

    def refresh_all_summaries():
        for grid_id in Grid.objects.scalar("id"):
            service.refresh_summary(grid_id=grid_id, cadence_days=cadence)

    def finish_pending_redraws():
        for redraw_id in Redraw.objects(status="pending").scalar("id"):
            service.apply_redraw(redraw_id=str(redraw_id))

    def recover_imports():
        import_journal.recover(stale_after_s=config.IMPORT_STALE_S)

    return dict(handlers=handlers,
                periodic=[(600, refresh_all_summaries), (60, finish_pending_redraws), (30, recover_imports)])


def main():
    config = Config("households")
    worker.run(config, metrics_port=int(os.environ.get("METRICS_PORT", "9101")), **bootstrap(config))


if __name__ == "__main__":
    main()
