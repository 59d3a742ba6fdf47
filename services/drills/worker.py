"""The drills worker: `python -m services.drills.worker` (relay, consumers, periodic repair; /metrics on 9103)."""
import os

from services.drills import events, models, service
from services.drills.config import SERVICE, SETTINGS
from services.drills.handlers import HANDLERS
from services.drills.models import Drill
from shared.config import Config
from shared.messaging import worker
from shared.messaging.outbox import documents_with_outbox


# Each drill as it is now, as the events the volunteers service acts on (`python -m shared.messaging.resend
# services.drills.worker QUEUE`): a drill still to come or running asks for helpers; a completed one credits its check-ins'
# hours (asking for helpers for it now would only open a need to close); a cancelled one closes what it opened, if
# anything. Nothing consumes the other events.
def _snapshot(d: Drill) -> list:
    if d.status == "completed":
        return [events.drill_completed(d, service.drill_checkins(d))]
    if d.status == "cancelled":
        return [events.drill_cancelled(d)]
    return [events.drill_planned(d)]


SNAPSHOTS = {Drill: _snapshot}


def bootstrap(config):
    """The worker's parts wired for `config` (tests pass a test config)."""
    config.use(SETTINGS)
    return dict(handlers=HANDLERS, documents=documents_with_outbox(models), periodic=[(60, service.reconcile_live_drills)])


def main():
    config = Config(SERVICE)
    worker.run(config, package=__package__, metrics_port=int(os.environ.get("METRICS_PORT", "9103")),
               **bootstrap(config))


if __name__ == "__main__":
    main()
