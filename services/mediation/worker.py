"""The mediation worker: `python -m services.mediation.worker` (relay, consumers, the deadline job)."""
import os

from services.mediation import models
from services.mediation.config import SERVICE, SETTINGS
from services.mediation.handlers import HANDLERS
from services.mediation.service import deadlines
from shared.config import Config
from shared.messaging import worker
from shared.messaging.outbox import documents_with_outbox

# No SNAPSHOTS: the dispute events' only consumer is this service's own notification feed, where each is a
# step someone is told of once; a queue made later must not tell of old steps again, and no other service
# keeps state from them.


def check_deadlines():
    """Deadline warnings and overdue events, each once per case."""
    return deadlines.check_deadlines()


def bootstrap(config):
    """The worker's parts wired for `config` (tests pass a test config)."""
    config.use(SETTINGS)
    return dict(handlers=HANDLERS, documents=documents_with_outbox(models), periodic=[(config.DEADLINE_CHECK_S, check_deadlines)])


def main():
    config = Config(SERVICE)
    worker.run(config, package=__package__, metrics_port=int(os.environ.get("METRICS_PORT", "9104")),
               **bootstrap(config))


if __name__ == "__main__":
    main()
