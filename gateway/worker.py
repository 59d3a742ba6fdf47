"""The gateway worker: `python -m gateway.worker` (the reports' outbox relay, the monthly run and the reports'
gauges; /healthz, /readyz and /metrics on 9105, after the services' workers' 9101–9104).

It consumes no events. Its jobs run inside the gateway app (built once, in `bootstrap`), so they ask the services
as the gateway does, signed by the monthly run's operator (gateway.reports.service.SYSTEM).
"""
import os

from gateway.reports import metrics, models, service
from gateway.upstream import client
from shared.config import Config
from shared.messaging import worker
from shared.messaging.outbox import documents_with_outbox

SERVICE = "gateway"
METRICS_PORT = 9105


def bootstrap(config, *, app=None) -> dict:
    """The worker's parts wired for `config` (the bus settings); `app` is the gateway its jobs run in (default: built
    from the environment, as the gateway's own processes are)."""
    if app is None:
        from gateway.app import create_app

        app = create_app()

    def issue_due_reports():
        """The monthly run: the previous month's report for every community and street that has none yet."""
        with app.app_context():
            service.issue_due()

    def refresh_report_gauges():
        """The reports issued per recent month and the communities still missing last month's."""
        with app.app_context():
            communities = [c["id"] for c in client("households", service.SYSTEM).get("/communities")]
            metrics.refresh(community_ids=communities)

    monthly = (app.config["REPORTS_RUN_S"], issue_due_reports, app.config["REPORTS_FIRST_RUN_S"])
    return dict(handlers={}, documents=documents_with_outbox(models), periodic=[monthly],
                refreshers=[refresh_report_gauges])


def main():
    config = Config(SERVICE)
    worker.run(config, package=__package__, metrics_port=int(os.environ.get("METRICS_PORT", str(METRICS_PORT))),
               **bootstrap(config))


if __name__ == "__main__":
    main()
