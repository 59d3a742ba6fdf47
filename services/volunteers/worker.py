"""The volunteers worker: `python -m services.volunteers.worker`."""
import os

from services.volunteers import events, service
from services.volunteers.config import VolunteersConfig, add_settings
from services.volunteers.handlers import HANDLERS
from services.volunteers.models import Certificate, HoursEntry, Need, Team, VolunteerRecord
from shared.messaging import worker

# Each volunteer as it is now, as the events the drills service keeps its copy from (`python -m
# shared.messaging.resend volunteers QUEUE`); a waitlisted volunteer was never announced. The other events
# (teams, needs, hours, certificates) have no consumer.
SNAPSHOTS = {
    VolunteerRecord: lambda v: {"registered": [events.volunteer_registered(v)],
                                "left": [events.volunteer_left(v)]}.get(v.status, []),
}


def bootstrap(config):
    """The worker's parts wired for `config` (tests pass a test config)."""
    add_settings(config)

    def repair_approved_reports():
        service.repair_approved_reports()

    def recount_changed_communities():
        service.recount_stale()

    def recount_communities():
        service.recount_all()

    return dict(handlers=HANDLERS,
                periodic=[(config.RECOUNT_EVERY_S, recount_changed_communities), (300, repair_approved_reports),
                          (3600, recount_communities)])


def main():
    config = VolunteersConfig()
    worker.run(config, metrics_port=int(os.environ.get("METRICS_PORT", "9102")), **bootstrap(config))


if __name__ == "__main__":
    main()
