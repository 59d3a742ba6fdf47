"""The mediation worker: `python -m services.mediation.worker` (relay, consumers, the deadline job)."""
import os

from services.mediation import clock, service
from services.mediation.config import MediationConfig, Rules, extend
from services.mediation.handlers import HANDLERS
from services.mediation.models import Dispute
from shared.messaging import worker

# No SNAPSHOTS: the dispute events' only consumer is this service's own notification feed, where each is a
# step someone is told of once; a queue made later must not tell of old steps again, and no other service
# keeps state from them.


def bootstrap(config):
    """The worker's parts wired for `config` (tests pass a test config)."""
    config = extend(config)
    clock.configure(config)
    rules = Rules.of(config)

    def check_deadlines():
        """Deadline warnings and overdue events, each once per case."""
        return service.check_deadlines(rules=rules)

    return dict(handlers=HANDLERS, periodic=[(config.DEADLINE_CHECK_S, check_deadlines)])


def main():
    config = MediationConfig()
    worker.run(config, metrics_port=int(os.environ.get("METRICS_PORT", "9104")), **bootstrap(config))


if __name__ == "__main__":
    main()
