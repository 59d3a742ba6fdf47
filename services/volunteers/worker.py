"""The volunteers worker: `python -m services.volunteers.worker`."""
import os

from services.volunteers import events, models, register_copy, service
from services.volunteers.config import SERVICE, SETTINGS
from services.volunteers.handlers import HANDLERS
from services.volunteers.models import VolunteerRecord
from shared.config import Config
from shared.messaging import worker
from shared.messaging.outbox import documents_with_outbox

# Each volunteer as it is now, as the events the drills service keeps its copy from (`python -m
# shared.messaging.resend services.volunteers.worker QUEUE`); a waitlisted volunteer was never announced. The other events
# (teams, needs, hours, certificates) have no consumer.
SNAPSHOTS = {
    VolunteerRecord: lambda v: {"registered": [events.volunteer_registered(v)],
                                "left": [events.volunteer_left(v)]}.get(v.status, []),
}


def bootstrap(config):
    """The worker's parts wired for `config` (tests pass a test config)."""
    config.use(SETTINGS)

    def repair_approved_reports():
        service.repair_approved_reports()

    def recount_changed_communities():
        register_copy.recount_stale()

    def recount_communities():
        register_copy.recount_all()

    return dict(handlers=HANDLERS, documents=documents_with_outbox(models),
                periodic=[(config.VOLUNTEERS_RECOUNT_EVERY_S, recount_changed_communities),
                          (300, repair_approved_reports), (3600, recount_communities)])


def main():
    config = Config(SERVICE)
    worker.run(config, package=__package__, metrics_port=int(os.environ.get("METRICS_PORT", "9102")),
               **bootstrap(config))


if __name__ == "__main__":
    main()
