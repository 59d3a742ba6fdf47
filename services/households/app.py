"""The households service's app factory."""
from services.households import import_views, lookup, metrics, network_views, report_views, views
from services.households.config import SERVICE, SETTINGS
from shared.config import Config
from shared.web.factory import create_service_app


def create_app(config=None):
    """Build the households API; `config` defaults to the environment."""
    config = (config or Config(SERVICE)).use(SETTINGS)
    app = create_service_app(config, import_name=__name__, blueprints=[views.bp, import_views.bp, network_views.bp, report_views.bp],
                             metric_refreshers=[metrics.refresh])
    lookup.backfill_at_start()
    import_views.recover_interrupted_imports()
    import_views.serve_import_jobs(app)
    return app
